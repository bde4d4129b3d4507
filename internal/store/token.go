package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// Personal access tokens. The store keeps each token's SHA-256 (the
// caller's hash), never the token: a leaked database lets nobody post.

// ErrTooMany is a row refused because its owner has as many as allowed.
var ErrTooMany = errors.New("store: too many")

// NewToken is a token to add.
type NewToken struct {
	UserID int64
	Hash   string // hex SHA-256 of the token
	Name   string
	Scope  model.TokenScope
	Data   []byte // the token's session data (JSON)
	// Max is how many tokens the user may hold, this one included.
	Max int
}

// TokenUse is a token found by its hash, with its owner and its data.
type TokenUse struct {
	Token model.Token
	User  model.User
	Data  []byte
}

// AddToken adds a token unless its user holds Max already (ErrTooMany);
// ErrNotFound when the user is gone.
func (s *Store) AddToken(ctx context.Context, nt NewToken) (model.Token, error) {
	t := model.Token{UserID: nt.UserID, Name: nt.Name, Scope: nt.Scope, Created: s.now()}
	data := string(nt.Data)
	if data == "" {
		data = "{}"
	}
	// The count and the insert in one statement: a burst of creations
	// cannot all pass the count (on PostgreSQL, two at once might).
	err := s.w.QueryRowContext(ctx, `INSERT INTO tokens (user_id, hash, name, scope, created, data)
		SELECT $1, $2, $3, $4, $5, $6 WHERE (SELECT COUNT(*) FROM tokens WHERE user_id = $1) < $7
		RETURNING id`, nt.UserID, nt.Hash, nt.Name, string(nt.Scope), micros(t.Created), data, nt.Max).Scan(&t.ID)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.UserByID(ctx, nt.UserID); err != nil {
			return t, err
		}
		return t, ErrTooMany
	}
	if err != nil {
		return t, classify(fmt.Errorf("store: add token: %w", err))
	}
	return t, nil
}

const tokenColumns = `t.id, t.user_id, u.username, t.name, t.scope, t.created, t.last_used`

func scanToken(row interface{ Scan(...any) error }, extra ...any) (model.Token, error) {
	var t model.Token
	var scope string
	var created int64
	var used sql.NullInt64
	err := row.Scan(append([]any{&t.ID, &t.UserID, &t.Username, &t.Name, &scope, &created, &used}, extra...)...)
	t.Scope, t.Created, t.LastUsed = model.TokenScope(scope), fromMicros(created), nullMicros(used)
	return t, err
}

// TokenByHash finds a token, its user (without the password hash) and
// its data in one read; ErrNotFound for an unknown (or revoked) token.
func (s *Store) TokenByHash(ctx context.Context, hash string) (TokenUse, error) {
	var use TokenUse
	if !storable(hash) {
		return use, ErrNotFound
	}
	var data string
	var role string
	var userCreated int64
	var err error
	use.Token, err = scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenColumns+`, t.data, u.role, u.created
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hash),
		&data, &role, &userCreated)
	if errors.Is(err, sql.ErrNoRows) {
		return use, ErrNotFound
	}
	if err != nil {
		return use, classify(fmt.Errorf("store: token: %w", err))
	}
	use.User.ID, use.User.Username = use.Token.UserID, use.Token.Username
	use.User.Role, use.User.Created = model.Role(role), fromMicros(userCreated)
	use.Data = []byte(data)
	return use, nil
}

// Token reads a token by id.
func (s *Store) Token(ctx context.Context, id int64) (model.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenColumns+`
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	if err != nil {
		return t, classify(fmt.Errorf("store: token: %w", err))
	}
	return t, nil
}

// Tokens lists a user's tokens, or everybody's when userID is 0, oldest
// first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]model.Token, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenColumns+`
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE $1 = 0 OR t.user_id = $1 ORDER BY t.id`, userID)
	if err != nil {
		return nil, classify(fmt.Errorf("store: tokens: %w", err))
	}
	defer rows.Close()
	var ts []model.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, classify(fmt.Errorf("store: tokens: %w", err))
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(fmt.Errorf("store: tokens: %w", err))
	}
	return ts, nil
}

// TouchToken records a use of the token at t, unless one at least as
// recent as since is recorded already (another request or process was
// first).
func (s *Store) TouchToken(ctx context.Context, id int64, t, since time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE tokens SET last_used = $2 WHERE id = $1 AND (last_used IS NULL OR last_used < $3)`,
		id, micros(t), micros(since))
	if err != nil {
		return classify(fmt.Errorf("store: touch token: %w", err))
	}
	return nil
}

// SaveTokenData replaces a token's session data; ErrNotFound when the
// token was revoked meanwhile.
func (s *Store) SaveTokenData(ctx context.Context, id int64, data []byte) error {
	res, err := s.w.ExecContext(ctx, `UPDATE tokens SET data = $2 WHERE id = $1`, id, string(data))
	if err != nil {
		return classify(fmt.Errorf("store: save token data: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteToken revokes a token; ErrNotFound when there is none.
func (s *Store) DeleteToken(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE id = $1`, id)
	if err != nil {
		return classify(fmt.Errorf("store: delete token: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
