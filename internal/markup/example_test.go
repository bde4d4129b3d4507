package markup_test

import (
	"fmt"
	"strings"

	"github.com/tribune-go/tribune/internal/markup"
)

func ExampleRenderer_Render() {
	r, err := markup.NewRenderer(markup.Options{})
	if err != nil {
		panic(err)
	}
	res := r.Render("12:34:56² <b>plop</b> http://www.youtube.com/watch?v=x [:totoz] a<b")
	fmt.Println(res.Remote)
	fmt.Println(res.Web)
	for _, c := range res.Clocks {
		fmt.Println(c.Text, c.Time(), c.Index)
	}
	fmt.Println(res.URLs, res.Totoz)
	// Output:
	// 12:34:56² <b>plop</b> <a href="http://www.youtube.com/watch?v=x">[youtube]</a> [:totoz] a&#60;b
	// <span class="pointer">12:34:56²</span> <b>plop</b> <a href="http://www.youtube.com/watch?v=x" class="external" rel="nofollow">[youtube]</a> <a class="smiley" href="http://totoz.eu/totoz.gif" rel="nofollow">[:totoz]</a> a&#60;b
	// 12:34:56² 12:34:56 2
	// [http://www.youtube.com/watch?v=x] [totoz]
}

func ExampleParseLabels() {
	rules, err := markup.ParseLabels(strings.NewReader(
		"# site labels, first match wins\n" +
			"\\.pdf$\tPDF\n" +
			"github\\.com/([^/]+)/\t${1}@github\n"))
	if err != nil {
		panic(err)
	}
	r, err := markup.NewRenderer(markup.Options{Labels: rules})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Render("https://github.com/sveetch/djangotribune et http://a.b/doc.pdf").Remote)
	// Output:
	// <a href="https://github.com/sveetch/djangotribune">[sveetch@github]</a> et <a href="http://a.b/doc.pdf">[PDF]</a>
}

func ExampleParseClock() {
	c, ok := markup.ParseClock("2024-01-31T12:34:56^2@dlfp")
	fmt.Println(ok, c.Year, c.Month, c.Day, c.Time(), c.Index, c.Bouchot)
	fmt.Println(markup.Superscript(c.Index), markup.PaddedIndex(c.Index))
	// Output:
	// true 2024 1 31 12:34:56 2 dlfp
	// ² 02
}
