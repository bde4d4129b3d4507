package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// checkPassword verifies a user name and password. Failures are rate
// limited per account and per client address; every failure, whether the
// account exists or not, gets the same answer.
func (s *Server) checkPassword(r *http.Request, name, password string) (*model.User, error) {
	lang := langOf(r)
	ip := visitOf(r).ip
	if wait := s.logins.blocked(name, ip); wait > 0 {
		return nil, tooMany(lang, "error.too_many", wait)
	}
	u, err := s.st.UserByName(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check, so timing does not tell
		// which accounts exist.
		auth.Verify(s.dummyHash, password)
		s.logins.failed(name, ip)
		return nil, badCredentials(lang)
	}
	if err != nil {
		return nil, err
	}
	if err := auth.Verify(u.PasswordHash, password); err != nil {
		if !errors.Is(err, auth.ErrMismatch) {
			s.log.Error("server: checking a password", "user", u.Username, "err", err)
		}
		s.logins.failed(name, ip)
		return nil, badCredentials(lang)
	}
	return &u, nil
}

func badCredentials(lang i18n.Lang) *Error {
	return httpError(http.StatusUnauthorized, i18n.T(lang, "error.bad_credentials"))
}

// basicUser returns the account named by the request's HTTP Basic
// credentials, nil when there are none, and a 401 error when they are wrong.
func (s *Server) basicUser(r *http.Request) (*model.User, error) {
	name, password, ok := r.BasicAuth()
	if !ok {
		return nil, nil
	}
	u, err := s.checkPassword(r, name, password)
	if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusUnauthorized {
		return nil, e.withHeader("WWW-Authenticate", `Basic realm="tribune", charset="UTF-8"`)
	}
	return u, err
}

// loginLimiter counts failed log-ins per account and per client address.
type loginLimiter struct{ byName, byIP *limit.Keyed }

func newLoginLimiter(n int, period time.Duration) loginLimiter {
	return loginLimiter{byName: limit.New(n, period), byIP: limit.New(n, period)}
}

// blocked says how long log-ins for this name or from this address must
// wait (0: they may try now).
func (l loginLimiter) blocked(name, ip string) time.Duration {
	return max(l.byName.Wait(strings.ToLower(name)), l.byIP.Wait(ip))
}

func (l loginLimiter) failed(name, ip string) {
	l.byName.Take(strings.ToLower(name))
	l.byIP.Take(ip)
}
