package cio

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendString appends s as a JSON string literal. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendISO appends t as a quoted ISO-8601 UTC time with milliseconds, the
// Pipelines timestamp form.
func appendISO(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	return append(dst, '"')
}

// appendKey appends `"k":`, preceded by a comma unless dst ends an opening brace.
func appendKey(dst []byte, k string) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' && dst[n-1] != '[' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, k...)
	return append(dst, '"', ':')
}

func appendStrField(dst []byte, k, v string) []byte {
	if v == "" {
		return dst
	}
	return AppendString(appendKey(dst, k), v)
}

func appendUnixField(dst []byte, k string, t time.Time) []byte {
	if t.IsZero() {
		return dst
	}
	return strconv.AppendInt(appendKey(dst, k), t.Unix(), 10)
}

// appendMembers appends the members of the JSON object obj (without its braces)
// to an object being built in dst. Empty or null obj adds nothing.
func appendMembers(dst []byte, obj []byte) []byte {
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 || obj[0] != '{' {
		return dst
	}
	inner := bytes.TrimSpace(obj[1 : len(obj)-1])
	if len(inner) == 0 {
		return dst
	}
	if n := len(dst); n > 0 && dst[n-1] != '{' {
		dst = append(dst, ',')
	}
	return append(dst, inner...)
}

// appendObjectField appends "k":obj, with {} when obj is empty.
func appendObjectField(dst []byte, k string, obj []byte) []byte {
	dst = appendKey(dst, k)
	if len(bytes.TrimSpace(obj)) == 0 {
		return append(dst, '{', '}')
	}
	return append(dst, obj...)
}
