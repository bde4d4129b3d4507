package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/logctx"
	"github.com/tribune-go/tribune/internal/model"
)

func user(ctx context.Context, args []string, env Env) error {
	const synopsis = "user create NAME [-role user|moderator|admin] | user passwd NAME |\n" +
		"       user role NAME ROLE | user list | user delete NAME\n\n" +
		"create and passwd read the password from standard input when it is not a\n" +
		"terminal (first line), and prompt for it otherwise."
	fs, cf := flagSet("user", synopsis, env, "role")
	role := fs.String("role", "user", "role of the new account: user, moderator or admin (user create)")
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	action, rest, err := pickAction(fs, "user", rest, map[string]int{"create": 1, "passwd": 1, "role": 2, "list": 0, "delete": 1})
	if err != nil {
		return err
	}
	b, closeDB, err := openBoard(ctx, &cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	ctx = logctx.With(ctx, slog.String("by", "command line")) // for the audit trail
	switch action {
	case "create":
		r, ok := model.ParseRole(*role)
		if !ok {
			return usageError{fmt.Sprintf("unknown role %q (user, moderator or admin)", *role)}
		}
		// The name first: no need to ask for a password for a name that
		// cannot be.
		if _, _, err := auth.NewName(rest[0]); err != nil {
			return err
		}
		pw, err := readPassword(env)
		if err != nil {
			return err
		}
		u, err := b.CreateUser(ctx, rest[0], pw, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created account %s (role %s)\n", u.Username, u.Role)
	case "passwd":
		u, err := b.User(ctx, rest[0])
		if err != nil {
			return err
		}
		pw, err := readPassword(env)
		if err != nil {
			return err
		}
		// A new password ends the sessions opened with the old one.
		if err := b.SetPassword(ctx, u.Username, pw); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "changed the password of %s\n", u.Username)
	case "role":
		r, ok := model.ParseRole(rest[1])
		if !ok {
			return usageError{fmt.Sprintf("unknown role %q (user, moderator or admin)", rest[1])}
		}
		if err := b.SetRole(ctx, nil, rest[0], r); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s is now %s\n", rest[0], r)
	case "delete":
		if err := b.DeleteUser(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "deleted %s (their messages stay)\n", rest[0])
	case "list":
		us, err := b.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Username, u.Role, u.Created.In(cfg.Location).Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	}
	return nil
}

// readPassword reads a new password: twice at a terminal, else the first
// line of standard input.
func readPassword(env Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.Stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.Stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
