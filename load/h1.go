package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// h1conn is one sender's own HTTP/1.1 keep-alive connection to a plain-http
// target. Each sender goroutine writes and reads its connection itself, so a
// request costs no goroutine hand-off and no pool lock (net/http's transport
// runs two goroutines per connection and passes every request between them).
// It speaks just enough HTTP/1.1 for a JSON POST and its answer:
// Content-Length or chunked bodies, Connection: close, 1xx skipped.
type h1conn struct {
	addr    string // host:port to dial
	prefix  string // path prefix of the target URL
	head    []byte // constant header lines: Host, User-Agent, Authorization, extras
	timeout time.Duration
	c       net.Conn
	br      *bufio.Reader
	bw      *bufio.Writer
	line    []byte // scratch for the request line and length
	used    bool   // the connection has carried a request (a failure may be a stale keep-alive)
}

// newH1 prepares (without dialling) a connection for target, or returns nil
// when target is not plain http.
func newH1(target string, hdr http.Header, timeout time.Duration) *h1conn {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" {
		return nil
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	host := u.Host
	if v := hdr.Get("Host"); v != "" {
		host = v
	}
	head := []byte("Host: " + host + "\r\n")
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		if k != "Host" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range hdr[k] {
			head = append(head, k+": "+v+"\r\n"...)
		}
	}
	return &h1conn{addr: addr, prefix: trimSlash(u.EscapedPath()), head: head, timeout: timeout}
}

func (h *h1conn) close() {
	if h.c != nil {
		_ = h.c.Close()
		h.c = nil
	}
}

func (h *h1conn) dial() error {
	c, err := net.DialTimeout("tcp", h.addr, 10*time.Second)
	if err != nil {
		return err
	}
	h.c, h.used = c, false
	if h.br == nil {
		h.br, h.bw = bufio.NewReaderSize(c, 8<<10), bufio.NewWriterSize(c, 16<<10)
	} else {
		h.br.Reset(c)
		h.bw.Reset(c)
	}
	return nil
}

// do sends one request and reads the whole answer. A request that fails on a
// reused connection before any answer byte arrived is sent once more on a new
// connection: the server may have closed the idle connection (net/http does
// the same); this is not an application-level retry.
func (h *h1conn) do(method, path string, body []byte) (status, bytesIn int, err error) {
	for attempt := 0; ; attempt++ {
		if h.c == nil {
			if err := h.dial(); err != nil {
				return 0, 0, err
			}
		}
		reused := h.used
		h.used = true
		status, bytesIn, err = h.exchange(method, path, body)
		if err == nil {
			return status, bytesIn, nil
		}
		h.close()
		if !reused || bytesIn > 0 || attempt > 0 {
			return status, bytesIn, err
		}
	}
}

func (h *h1conn) exchange(method, path string, body []byte) (int, int, error) {
	if h.timeout > 0 {
		_ = h.c.SetDeadline(time.Now().Add(h.timeout))
	}
	b := append(h.line[:0], method...)
	b = append(append(append(b, ' '), h.prefix...), path...)
	b = append(b, " HTTP/1.1\r\n"...)
	b = append(b, h.head...)
	if body != nil {
		b = append(b, "Content-Type: application/json\r\n"...)
	}
	if body != nil || method == http.MethodPost || method == http.MethodPut {
		b = strconv.AppendInt(append(b, "Content-Length: "...), int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	h.line = b
	_, _ = h.bw.Write(b)
	_, _ = h.bw.Write(body)
	if err := h.bw.Flush(); err != nil {
		return 0, 0, err
	}
	return h.readResponse()
}

var errBadResponse = errors.New("load: malformed HTTP response")

// readResponse reads a status line, headers and body; 1xx answers are skipped.
func (h *h1conn) readResponse() (status, n int, err error) {
	for {
		line, err := h.br.ReadSlice('\n')
		n += len(line)
		if err != nil {
			return 0, n, err
		}
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
			return 0, n, errBadResponse
		}
		status, err = strconv.Atoi(string(line[9:12]))
		if err != nil {
			return 0, n, errBadResponse
		}
		length, chunked, closing, hn, err := h.readHeaders()
		n += hn
		if err != nil {
			return status, n, err
		}
		if status >= 100 && status < 200 {
			continue
		}
		bn, err := h.readBody(length, chunked, closing)
		n += bn
		if closing {
			h.close()
		}
		return status, n, err
	}
}

func (h *h1conn) readHeaders() (length int64, chunked, closing bool, n int, err error) {
	length = -1
	for {
		line, err := h.br.ReadSlice('\n')
		n += len(line)
		if err != nil {
			return 0, false, false, n, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return length, chunked, closing, n, nil
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, false, n, errBadResponse
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(v), 10, 64); err != nil || length < 0 {
				return 0, false, false, n, errBadResponse
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			closing = bytes.EqualFold(v, []byte("close"))
		}
	}
}

func (h *h1conn) readBody(length int64, chunked, closing bool) (int, error) {
	switch {
	case chunked:
		return h.readChunked()
	case length >= 0:
		n, err := h.br.Discard(int(length))
		return n, err
	case closing:
		n, err := io.Copy(io.Discard, h.br)
		return int(n), err
	}
	return 0, nil // no body (e.g. 204)
}

func (h *h1conn) readChunked() (n int, err error) {
	for {
		line, err := h.br.ReadSlice('\n')
		n += len(line)
		if err != nil {
			return n, err
		}
		sz, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		size, err := strconv.ParseInt(string(bytes.TrimSpace(sz)), 16, 64)
		if err != nil || size < 0 {
			return n, fmt.Errorf("%w: chunk size %q", errBadResponse, sz)
		}
		if size == 0 {
			for { // trailers up to the empty line
				line, err := h.br.ReadSlice('\n')
				n += len(line)
				if err != nil || len(bytes.TrimRight(line, "\r\n")) == 0 {
					return n, err
				}
			}
		}
		d, err := h.br.Discard(int(size) + 2)
		n += d
		if err != nil {
			return n, err
		}
	}
}
