package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

func storeID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// TestClientChosenTokensRefused: a session token the tribune did not issue
// (made up, of the right shape, from before the upgrade, or tampered with)
// is replaced by a fresh one: it marks no message as its own and no
// session row is ever stored under it.
func TestClientChosenTokensRefused(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		issued := tr.client("issued")
		issued.say("/", "to get a token")
		good := issued.cookies["sessionid"].Value
		tampered := []byte(good)
		tampered[len(tampered)-2] ^= 1 // still base64url
		old := make([]byte, 32)
		rand.Read(old)
		for name, chosen := range map[string]string{
			"43 A":         strings.Repeat("A", 43),
			"64 A":         strings.Repeat("A", 64),
			"old format":   base64.RawURLEncoding.EncodeToString(old),
			"tampered":     string(tampered),
			"not base64":   "chosen-by-client",
			"good, longer": good + "A",
		} {
			t.Run(name, func(t *testing.T) {
				c := tr.client("Mallory " + name)
				c.cookies["sessionid"] = &http.Cookie{Name: "sessionid", Value: chosen}
				id := c.say("/", "chosen "+name)
				got := c.cookies["sessionid"].Value
				if got == chosen || tr.board.SessionID(got) == "" {
					t.Fatalf("the client kept its token: %q", got)
				}
				// The made-up token owns nothing…
				liar := tr.client("liar")
				liar.cookies["sessionid"] = &http.Cookie{Name: "sessionid", Value: chosen}
				for _, r := range decodeJSON(t, liar.get("/remote/json/")) {
					if r.Owned {
						t.Errorf("message %d owned by the made-up token", r.ID)
					}
				}
				// …the issued one owns the message…
				for _, r := range decodeJSON(t, c.get("/remote/json/")) {
					if r.Owned != (r.ID == id) {
						t.Errorf("message %d owned=%v", r.ID, r.Owned)
					}
				}
				// …and a command that saves the session saves none under it.
				liar.cookies["sessionid"] = &http.Cookie{Name: "sessionid", Value: chosen}
				if w := liar.post("/post/", "content", "/bak add ua troll"); w.Code != 200 {
					t.Fatalf("/bak: %d %s", w.Code, w.Body)
				}
				if _, err := tr.st.Session(t.Context(), storeID(chosen)); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a session was stored under the made-up token: %v", err)
				}
			})
		}
	})
}

// TestTokensBeforeTheUpgrade: a logged-in session whose token has the
// unsigned format of earlier versions is not taken: its holder logs in
// again.
func TestTokensBeforeTheUpgrade(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		u := tr.createUser(t, "veteran", model.RoleUser)
		old := make([]byte, 32)
		rand.Read(old)
		token := base64.RawURLEncoding.EncodeToString(old)
		row := store.SessionRow{ID: storeID(token), UserID: u.ID, Expires: time.Now().Add(time.Hour)}
		if err := tr.st.SaveSession(t.Context(), row); err != nil {
			t.Fatal(err)
		}
		c := tr.client("veteran")
		c.cookies["sessionid"] = &http.Cookie{Name: "sessionid", Value: token}
		author := func(content string) *string {
			id := c.say("/", content)
			for _, r := range decodeJSON(t, c.get("/remote/json/")) {
				if r.ID == id {
					return r.Login
				}
			}
			t.Fatalf("message %d not found", id)
			return nil
		}
		if login := author("with the old token"); login != nil {
			t.Fatalf("a token of the old format is logged in as %s", *login)
		}
		c.login(t, "veteran")
		if login := author("logged in again"); login == nil || *login != "veteran" {
			t.Fatalf("after logging in again: %v", login)
		}
	})
}

// TestTokensAcrossProcesses: a token issued by one process is taken by
// another sharing the database (the signing key is in the database).
func TestTokensAcrossProcesses(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	shared := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	a, b := newTribune(t, shared, nil), newTribune(t, shared, nil)
	c := a.client("roaming")
	id := c.say("/", "posted on A")
	rows := decodeJSON(t, (&client{tr: b, ua: "roaming", cookies: c.cookies, header: http.Header{}}).get("/remote/json/"))
	if len(rows) != 1 || rows[0].ID != id || !rows[0].Owned {
		t.Fatalf("B does not take A's token: %+v", rows)
	}
}
