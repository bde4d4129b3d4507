package markup

import (
	"testing"
)

// benchMessage is a typical 500-character message: two URLs, three
// clocks, tags and a totoz.
const benchMessage = "12:34:56² tu as vu ça ? http://www.lemonde.fr/societe/article/2024/01/31/un-titre-assez-long-pour-un-article_6213456_3224.html " +
	"c'est <b>énorme</b>, et 12:35:01 aussi, <i>surtout</i> la partie où ils expliquent pourquoi les moules " +
	"préfèrent la tribune au forum [:totoz] ; sinon la doc est là : https://fr.wikipedia.org/wiki/Tribune_(informatique) " +
	"et <u>personne</u> ne la lit, comme d'hab. 12:36 moules< qui vient boire un café ? <s>pas moi</s> " +
	"j'ai du boulot & des réunions <tt>toute la journée</tt>, bref."

func BenchmarkRender(b *testing.B) {
	r := newTestRenderer(b, Options{})
	res := r.Render(benchMessage)
	if len(benchMessage) < 480 || len(benchMessage) > 520 || len(res.URLs) != 2 || len(res.Clocks) != 3 || len(res.Totoz) != 1 {
		b.Fatalf("benchmark message is not typical: %d bytes, %d URLs, %d clocks, %d totoz",
			len(benchMessage), len(res.URLs), len(res.Clocks), len(res.Totoz))
	}
	b.SetBytes(int64(len(benchMessage)))
	b.ReportAllocs()
	for b.Loop() {
		r.Render(benchMessage)
	}
}

func BenchmarkFindClocks(b *testing.B) {
	b.SetBytes(int64(len(benchMessage)))
	b.ReportAllocs()
	for b.Loop() {
		FindClocks(benchMessage)
	}
}

func BenchmarkSanitize(b *testing.B) {
	b.SetBytes(int64(len(benchMessage)))
	b.ReportAllocs()
	for b.Loop() {
		Sanitize(benchMessage)
	}
}
