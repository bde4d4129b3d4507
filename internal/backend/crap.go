package backend

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/model"
)

// The "crap" XML backend is the same tree as the XML backend, indented in
// place with ElementTree's classic indent recipe: one space per level, and
// whitespace-only text and tails replaced by a newline and the indentation.
// Like the original it also reformats whitespace between inline elements
// inside <message>.

// node is an element with ElementTree's text/tail model.
type node struct {
	name  string
	attrs [][2]string
	text  string
	tail  string
	kids  []*node
}

func appendCrapXML(dst []byte, meta *Meta, ms []model.Message) []byte {
	board := &node{name: "board", attrs: [][2]string{{"site", meta.Site}}}
	if meta.Zone != "" {
		board.attrs = append(board.attrs, [2]string{"timezone", meta.Zone})
	}
	var stamp []byte
	for i := range ms {
		m := &ms[i]
		stamp = Stamp(stamp[:0], m.Created, meta.Location)
		post := &node{name: "post", attrs: [][2]string{{"id", strconv.FormatInt(m.ID, 10)}, {"time", string(stamp)}}}
		post.kids = []*node{
			{name: "info", text: m.Info},
			{name: "login", text: m.Login},
			messageNode(m.Remote),
		}
		board.kids = append(board.kids, post)
	}
	indent(board, 0)
	dst = append(dst, XMLDeclaration...)
	return appendNode(dst, board)
}

// messageNode parses a remote render into a <message> element. The render
// is well-formed by construction; if it ever were not, the message is kept
// as text rather than failing the whole backend.
func messageNode(remote string) *node {
	msg := &node{name: "message"}
	d := xml.NewDecoder(strings.NewReader("<message>" + remote + "</message>"))
	d.Strict = true
	stack := []*node{}
	var cur *node
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return &node{name: "message", text: remote}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local}
			if cur == nil {
				n = msg
			} else {
				for _, a := range t.Attr {
					n.attrs = append(n.attrs, [2]string{a.Name.Local, a.Value})
				}
				cur.kids = append(cur.kids, n)
				stack = append(stack, cur)
			}
			cur = n
		case xml.EndElement:
			if len(stack) > 0 {
				cur = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			// Text goes to the current element if it has no child yet,
			// else to the last child's tail.
			if k := len(cur.kids); k > 0 {
				cur.kids[k-1].tail += string(t)
			} else {
				cur.text += string(t)
			}
		}
	}
	return msg
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// indent is ElementTree's indent recipe.
func indent(n *node, level int) {
	i := "\n" + strings.Repeat(" ", level)
	if len(n.kids) > 0 {
		if blank(n.text) {
			n.text = i + " "
		}
		if blank(n.tail) {
			n.tail = i
		}
		for _, k := range n.kids {
			indent(k, level+1)
		}
		if last := n.kids[len(n.kids)-1]; blank(last.tail) {
			last.tail = i
		}
	} else if level > 0 && blank(n.tail) {
		n.tail = i
	}
}

func appendNode(dst []byte, n *node) []byte {
	dst = append(dst, '<')
	dst = append(dst, n.name...)
	for _, a := range n.attrs {
		dst = append(dst, ' ')
		dst = append(dst, a[0]...)
		dst = append(dst, `="`...)
		dst = AppendAttr(dst, a[1])
		dst = append(dst, '"')
	}
	dst = append(dst, '>')
	dst = appendText(dst, n.text)
	for _, k := range n.kids {
		dst = appendNode(dst, k)
	}
	dst = append(dst, "</"...)
	dst = append(dst, n.name...)
	dst = append(dst, '>')
	return appendText(dst, n.tail)
}
