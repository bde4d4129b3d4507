package board

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/tribune-go/tribune/internal/store"
)

// Session tokens and captcha ids are signed: payload ‖ MAC, in base64url,
// where the MAC is HMAC-SHA256 of the purpose and the payload, truncated to
// macLen bytes. The key is a random secret kept in the database (created
// by the first process that needs it), so every process sharing the
// database recognises what another issued, and a token or id a client made
// up is refused without a lookup and without a write.

const (
	macLen     = 16 // bytes of the HMAC kept: forging one takes 2^128 tries
	keyLen     = 32
	secretName = "signing_key"
)

// signer signs and checks tokens with the database's key.
type signer struct{ key []byte }

func newSigner(ctx context.Context, st *store.Store) (signer, error) {
	fresh := make([]byte, keyLen)
	rand.Read(fresh)
	key, err := st.Secret(ctx, secretName, fresh)
	if err != nil {
		return signer{}, fmt.Errorf("board: signing key: %w", err)
	}
	return signer{key}, nil
}

func (s signer) mac(purpose string, payload []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(purpose))
	h.Write([]byte{0}) // the purpose ends here
	h.Write(payload)
	return h.Sum(nil)[:macLen]
}

// sign returns payload with its MAC for purpose, in base64url.
func (s signer) sign(purpose string, payload []byte) string {
	return base64.RawURLEncoding.EncodeToString(append(payload, s.mac(purpose, payload)...))
}

// open returns the payload of token when it is a payload of n bytes that
// this tribune signed for purpose; ok is false for anything else.
func (s signer) open(purpose, token string, n int) (payload []byte, ok bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(n+macLen) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != n+macLen {
		return nil, false
	}
	payload, sum := b[:n], b[n:]
	if !hmac.Equal(sum, s.mac(purpose, payload)) {
		return nil, false
	}
	return payload, true
}
