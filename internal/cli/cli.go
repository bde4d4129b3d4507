// Package cli is the tribune command: its subcommands, flags and the
// server's lifecycle.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/logctx"
	"github.com/tribune-go/tribune/internal/version"
)

// Env is what a run of the command sees of the outside world.
type Env struct {
	Stdin     io.Reader
	Stdout    io.Writer
	Stderr    io.Writer
	LookupEnv func(string) (string, bool)
	// Environ lists the environment as KEY=value strings (os.Environ),
	// to report the TRIBUNE_ variables that name no setting; nil: none.
	Environ func() []string
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// ExitCode is the process exit status for err.
func ExitCode(err error) int {
	if errors.As(err, new(usageError)) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env Env) error
}

func commands() []command {
	return []command{
		{"serve", "run the tribune server", serve},
		{"migrate", "bring the database schema up to date", migrate},
		{"channel", "create, list, delete and moderate channels", channel},
		{"user", "create, list and manage accounts", user},
		{"token", "create, list and revoke personal access tokens", token},
		{"export", "write the messages as JSON Lines on standard output", export},
		{"import", "import an export, or a djangotribune site's dumpdata (-from djangotribune)", importHistory},
		{"config", "print the effective configuration (secrets masked)", printConfig},
		{"version", "print the version", printVersion},
	}
}

// Run runs the command line args (without the program name).
func Run(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return usageError{"missing command"}
		}
		return nil
	}
	if args[0] == "-version" || args[0] == "--version" {
		return printVersion(ctx, args[1:], env)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], env)
			if errors.Is(err, flag.ErrHelp) {
				return nil // -h: the usage is printed, and that is a success
			}
			return err
		}
	}
	usage(env.Stderr)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: tribune COMMAND [FLAGS] [ARGS]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes the settings as flags; 'tribune serve -h' lists them.")
	fmt.Fprintln(w, "'tribune COMMAND -h' tells what a command does.")
}

// flagSet makes a subcommand's flag set with every setting registered. -h
// prints the synopsis and the command's own flags (own, defined by the
// caller after this call); serve's and config's print the settings table,
// which are what they are about.
func flagSet(name, synopsis string, env Env, own ...string) (*flag.FlagSet, *config.Flags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cf := config.Register(fs)
	fs.Usage = func() {
		w := env.Stderr
		fmt.Fprintf(w, "Usage: tribune %s\n\n", synopsis)
		if name == "serve" || name == "config" {
			fmt.Fprintln(w, "Settings (flag, environment variable, meaning, default); precedence: flag, environment, config file, default:")
			config.PrintSettings(w)
			return
		}
		if len(own) > 0 {
			fmt.Fprintln(w, "Flags:")
			for _, n := range own {
				if f := fs.Lookup(n); f != nil {
					fmt.Fprintf(w, "  -%s\n      %s\n", f.Name, f.Usage)
				}
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "The settings are taken too, as flags (-db, -timezone…), environment variables or a")
		fmt.Fprintln(w, "config file: 'tribune serve -h' lists them.")
	}
	return fs, cf
}

// parse parses args, allowing flags after positional arguments
// ("channel moderate SLUG -mode auto").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			// An unknown flag or a bad flag value is a usage error (exit
			// status 2, as with flag.ExitOnError).
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// pickAction splits a command's action from its arguments and checks their
// number against arity.
func pickAction(fs *flag.FlagSet, cmd string, args []string, arity map[string]int) (string, []string, error) {
	if len(args) == 0 {
		fs.Usage()
		return "", nil, usageError{cmd + " needs an action"}
	}
	action, rest := args[0], args[1:]
	n, ok := arity[action]
	if !ok {
		return "", nil, usageError{fmt.Sprintf("unknown %s action %q", cmd, action)}
	}
	if len(rest) != n {
		return "", nil, usageError{fmt.Sprintf("%s %s takes %d argument(s)", cmd, action, n)}
	}
	return action, rest, nil
}

// load parses the flags and builds the configuration.
func load(fs *flag.FlagSet, cf *config.Flags, args []string, env Env) (config.Config, []string, error) {
	positional, err := parse(fs, args)
	if err != nil {
		return config.Config{}, nil, err
	}
	cfg, err := cf.Load(env.LookupEnv)
	if err != nil {
		return cfg, nil, err
	}
	cfg.Logger = newLogger(&cfg, env.Stderr)
	warnUnknownEnv(cfg.Logger, env)
	return cfg, positional, nil
}

// warnUnknownEnv reports the TRIBUNE_ variables that name no setting: a
// typo would otherwise leave a default in place without a word (the
// config file refuses unknown keys; the environment is shared with
// others, so it only warns).
func warnUnknownEnv(log *slog.Logger, env Env) {
	if env.Environ == nil {
		return
	}
	unknown, closest := config.UnknownEnv(env.Environ())
	for i, name := range unknown {
		if closest[i] != "" {
			log.Warn("unknown environment variable "+name+": did you mean "+closest[i]+"?", "variable", name, "closest", closest[i])
		} else {
			log.Warn("unknown environment variable "+name+": no setting has that name", "variable", name)
		}
	}
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	// Wrapped: a line logged with a context carries its attributes (the
	// request's id, who asked).
	if strings.EqualFold(cfg.LogFormat, "json") {
		return logctx.Wrap(slog.New(slog.NewJSONHandler(w, opts)))
	}
	return logctx.Wrap(slog.New(slog.NewTextHandler(w, opts)))
}

func printVersion(ctx context.Context, args []string, env Env) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(env.Stderr, "Usage: tribune version (or tribune -version)\n\nPrints the version, from the binary's build information.")
		return nil
	}
	if len(args) > 0 {
		return usageError{"version takes no arguments"}
	}
	fmt.Fprintf(env.Stdout, "tribune %s (%s %s/%s)\n", version.String(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func printConfig(ctx context.Context, args []string, env Env) error {
	fs, cf := flagSet("config", "config [FLAGS]", env)
	cfg, _, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	config.Dump(env.Stdout, &cfg)
	return nil
}
