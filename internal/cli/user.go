package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

func user(ctx context.Context, args []string, env Env) error {
	const synopsis = "user create NAME [-role user|moderator|admin] | user passwd NAME |\n" +
		"       user role NAME ROLE | user list | user delete NAME\n\n" +
		"create and passwd read the password from standard input when it is not a\n" +
		"terminal (first line), and prompt for it otherwise."
	fs, cf := flagSet("user", synopsis, env)
	role := fs.String("role", "user", "role of the new account: user, moderator or admin (user create)")
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	action, rest, err := pickAction(fs, "user", rest, map[string]int{"create": 1, "passwd": 1, "role": 2, "list": 0, "delete": 1})
	if err != nil {
		return err
	}
	st, err := openStore(ctx, &cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "create":
		r, ok := model.ParseRole(*role)
		if !ok {
			return usageError{fmt.Sprintf("unknown role %q (user, moderator or admin)", *role)}
		}
		if err := auth.ValidUsername(rest[0]); err != nil {
			return err
		}
		hash, err := newPassword(&cfg, env)
		if err != nil {
			return err
		}
		u, err := st.CreateUser(ctx, rest[0], hash, r)
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("user %q already exists", rest[0])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created %s %s\n", u.Role, u.Username)
	case "passwd":
		if _, err := st.UserByName(ctx, rest[0]); err != nil {
			return noUser(err, rest[0])
		}
		hash, err := newPassword(&cfg, env)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, rest[0], hash); err != nil {
			return noUser(err, rest[0])
		}
		u, _ := st.UserByName(ctx, rest[0])
		// A new password ends the sessions opened with the old one.
		if err := st.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "changed the password of %s\n", u.Username)
	case "role":
		r, ok := model.ParseRole(rest[1])
		if !ok {
			return usageError{fmt.Sprintf("unknown role %q (user, moderator or admin)", rest[1])}
		}
		if err := st.SetRole(ctx, rest[0], r); err != nil {
			return noUser(err, rest[0])
		}
		fmt.Fprintf(env.Stdout, "%s is now %s\n", rest[0], r)
	case "delete":
		if err := st.DeleteUser(ctx, rest[0]); err != nil {
			return noUser(err, rest[0])
		}
		fmt.Fprintf(env.Stdout, "deleted %s (their messages stay)\n", rest[0])
	case "list":
		us, err := st.Users(ctx)
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

func noUser(err error, name string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user %q", name)
	}
	return err
}

// newPassword reads a new password (prompting twice on a terminal) and
// hashes it.
func newPassword(cfg *config.Config, env Env) (string, error) {
	pw, err := readPassword(env)
	if err != nil {
		return "", err
	}
	if err := auth.ValidPassword(pw); err != nil {
		return "", err
	}
	p := auth.DefaultParams
	p.MemoryKiB = cfg.PasswordHashMemoryKiB
	return auth.Hash(pw, p)
}

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
