// Package ui holds the web board's templates and static files, embedded in
// the binary. Templates are html/template pages sharing one layout; static
// files are served under names carrying a hash of their content, so they
// can be cached for a year and still change with each release.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Engine renders the pages.
type Engine struct {
	pages  map[string]*template.Template
	Static *Static
}

// New parses every page with the layout and the partials, and fingerprints
// the static files. A template that does not parse fails the start.
func New(funcs template.FuncMap) (*Engine, error) {
	st, err := newStatic()
	if err != nil {
		return nil, err
	}
	all := template.FuncMap{
		"asset": st.Path,
		"list":  func(items ...string) []string { return items },
	}
	for k, v := range funcs {
		all[k] = v
	}
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, err
	}
	var shared []string
	var pages []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "_") {
			shared = append(shared, "templates/"+e.Name())
		} else {
			pages = append(pages, e.Name())
		}
	}
	eng := &Engine{pages: map[string]*template.Template{}, Static: st}
	for _, p := range pages {
		files := append([]string{"templates/" + p}, shared...)
		t, err := template.New(p).Funcs(all).ParseFS(templateFiles, files...)
		if err != nil {
			return nil, fmt.Errorf("ui: %s: %w", p, err)
		}
		eng.pages[strings.TrimSuffix(p, ".html")] = t
	}
	return eng, nil
}

// Has reports whether page exists.
func (e *Engine) Has(page string) bool { _, ok := e.pages[page]; return ok }

// Render writes page with data. The page is rendered to a buffer first, so
// a template error never sends half a page.
func (e *Engine) Render(w io.Writer, page string, data any) error {
	t, ok := e.pages[page]
	if !ok {
		return fmt.Errorf("ui: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, page+".html", data); err != nil {
		return fmt.Errorf("ui: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// Static is the fingerprinted static files.
type Static struct {
	byName   map[string]*asset // logical name ("board.js")
	byHashed map[string]*asset // served name ("board.1a2b3c4d.js")
	prefix   string
}

type asset struct {
	hashed string
	ctype  string
	data   []byte
	etag   string
}

func newStatic() (*Static, error) {
	s := &Static{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	files := map[string][]byte{}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFiles.ReadFile(p)
		files[strings.TrimPrefix(p, "static/")] = data
		return err
	})
	if err != nil {
		return nil, err
	}
	for name := range files {
		if err := s.add(name, files, 0); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// siblingImport is a module's import of another static module. It is
// rewritten to the fingerprinted name, so that a page's script and a module
// importing it load one URL, hence one instance (history.js imports
// board.js).
var siblingImport = regexp.MustCompile(`from "\./([\w.-]+\.js)"`)

// add fingerprints one static file, after the modules it imports.
func (s *Static) add(name string, files map[string][]byte, depth int) error {
	if _, ok := s.byName[name]; ok {
		return nil
	}
	if depth > len(files) {
		return fmt.Errorf("ui: static modules import each other in a cycle (%s)", name)
	}
	data := files[name]
	ext := path.Ext(name)
	if ext == ".js" {
		var failed error
		data = siblingImport.ReplaceAllFunc(data, func(m []byte) []byte {
			dep := string(siblingImport.FindSubmatch(m)[1])
			if _, ok := files[dep]; !ok {
				failed = fmt.Errorf("ui: %s imports %s, which is not a static file", name, dep)
				return m
			}
			if err := s.add(dep, files, depth+1); err != nil {
				failed = err
				return m
			}
			return []byte(`from "./` + s.byName[dep].hashed + `"`)
		})
		if failed != nil {
			return failed
		}
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])[:12]
	a := &asset{hashed: strings.TrimSuffix(name, ext) + "." + h + ext, data: data, etag: `"` + h + `"`}
	a.ctype = mime.TypeByExtension(ext)
	if a.ctype == "" {
		a.ctype = http.DetectContentType(data)
	}
	s.byName[name] = a
	s.byHashed[a.hashed] = a
	return nil
}

// SetPrefix sets the URL path static files are served under
// ("/tribune/static/").
func (s *Static) SetPrefix(p string) { s.prefix = p }

// Path is the URL of a static file by its logical name. It panics on an
// unknown name, which templates and tests catch at once.
func (s *Static) Path(name string) string {
	a, ok := s.byName[name]
	if !ok {
		panic("ui: no static file " + name)
	}
	return s.prefix + a.hashed
}

// ServeHTTP serves a fingerprinted file (the path's last element), cached
// for a year, immutable.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byHashed[path.Base(r.URL.Path)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(a.data)))
	if r.Method != http.MethodHead {
		w.Write(a.data)
	}
}
