package board_test

import (
	"context"
	"testing"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/model"
)

// TestModerationIgnoresCancellation: a post whose context is cancelled (a
// poster who hung up) is still moderated by the store-backed moderators
// and recorded with what they said; it is not left to the fallback.
func TestModerationIgnoresCancellation(t *testing.T) {
	each(t, nil, func(t *testing.T, f *fixture) {
		if _, err := f.b.CreateChannel(t.Context(), "mod", "Moderated"); err != nil {
			t.Fatal(err)
		}
		specs := []string{"duplicate:1h", "flood:1/1h", "words:spam"}
		if err := f.b.SetModeration(t.Context(), "mod", "auto", specs, "accept"); err != nil {
			t.Fatal(err)
		}
		c := f.channel("mod")
		p := anonymous(board.ViaRemote)
		first, err := f.b.Post(t.Context(), c, p, "hello")
		if err != nil || first.Message.ID == 0 {
			t.Fatalf("first post: %+v %v", first, err)
		}

		gone, cancel := context.WithCancel(t.Context())
		cancel()
		out, err := f.b.Post(gone, c, p, "hello again")
		if err != nil {
			t.Fatal(err)
		}
		if out.Message.ID != 0 || out.Submission.Status != model.StatusRejected || out.Submission.Reason != "flood" {
			t.Fatalf("second post: %+v, want rejected by flood", out)
		}
		zero := 0.0
		want := []model.ModeratorResult{{Spec: "duplicate:1h"}, {Spec: "flood:1/1h", Rating: &zero, Reason: "flood"}}
		got := out.Submission.Moderators
		if len(got) != 2 || got[0].Spec != want[0].Spec || got[0].Rating != nil || got[0].Failure != "" ||
			got[1].Spec != want[1].Spec || got[1].Rating == nil || *got[1].Rating != 0 || got[1].Reason != "flood" {
			t.Fatalf("moderators %+v, want %+v", got, want)
		}
		// Recorded as decided.
		sub, err := f.st.Submission(t.Context(), out.Submission.ID)
		if err != nil || sub.Status != model.StatusRejected || len(sub.Moderators) != 2 {
			t.Fatalf("record %+v %v", sub, err)
		}
	})
}
