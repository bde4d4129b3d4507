package cli

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/tribune-go/tribune/internal/model"
)

// token manages personal access tokens for the operator. The secret of a
// new token is printed alone on standard output, once, so that a script
// can take it: TOKEN=$(tribune token create nono -name olcc).
func token(ctx context.Context, args []string, env Env) error {
	const synopsis = "token create USER [-name LABEL] [-scope post|moderate] | token list | token revoke ID\n\n" +
		"create prints the new token on standard output: it is shown this once.\n" +
		"The moderate scope is for moderators and admins; it lets the token use\n" +
		"the moderation API while its user's role allows it."
	fs, cf := flagSet("token", synopsis, env)
	name := fs.String("name", "", "a label for the new token, shown in lists (token create)")
	scope := fs.String("scope", string(model.ScopePost), "what the new token may do: post (read, post, commands) or moderate (also the moderation API) (token create)")
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	action, rest, err := pickAction(fs, "token", rest, map[string]int{"create": 1, "list": 0, "revoke": 1})
	if err != nil {
		return err
	}
	var id int64
	if action == "revoke" {
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil || id <= 0 {
			return usageError{fmt.Sprintf("%q is not a token id (a number from token list)", rest[0])}
		}
	}
	sc, ok := model.ParseTokenScope(*scope)
	if !ok {
		return usageError{fmt.Sprintf("unknown scope %q (post or moderate)", *scope)}
	}
	b, closeDB, err := openBoard(ctx, &cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	switch action {
	case "create":
		nt, err := b.CreateToken(ctx, nil, rest[0], *name, sc)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, nt.Secret)
		fmt.Fprintf(env.Stderr, "created token %d (scope %s) for %s: it is shown this once\n", nt.ID, nt.Scope, nt.Username)
	case "list":
		ts, err := b.AllTokens(ctx)
		if err != nil {
			return err
		}
		when := func(t model.Token) string {
			if t.LastUsed.IsZero() {
				return "never"
			}
			return t.LastUsed.In(cfg.Location).Format("2006-01-02 15:04")
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tNAME\tSCOPE\tCREATED\tLAST USED")
		for _, t := range ts {
			label := t.Name
			if label == "" {
				label = "-"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, label, t.Scope,
				t.Created.In(cfg.Location).Format("2006-01-02 15:04"), when(t))
		}
		return tw.Flush()
	case "revoke":
		t, err := b.RevokeToken(ctx, nil, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "revoked token %d of %s\n", t.ID, t.Username)
	}
	return nil
}
