package cio

import "encoding/json"

// A minimal walker over raw JSON bytes. The mock's contract checks and the
// ledger visit each member of a call's data once with it instead of decoding
// the data into maps, which was most of their cost.

// EachMember calls fn with every top-level member of the JSON object obj: the
// key's raw bytes (between the quotes, escapes kept; see MemberKey) and the
// value's raw bytes, neither copied. It reports false, possibly after some
// calls, when obj is not a well-formed object.
func EachMember(obj []byte, fn func(key, val []byte)) bool {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	if i = skipWS(obj, i+1); i < len(obj) && obj[i] == '}' {
		return true
	}
	for {
		end := skipString(obj, i)
		if end < 0 {
			return false
		}
		key := obj[i+1 : end-1]
		if i = skipWS(obj, end); i >= len(obj) || obj[i] != ':' {
			return false
		}
		i = skipWS(obj, i+1)
		vend := skipValue(obj, i)
		if vend < 0 {
			return false
		}
		fn(key, obj[i:vend])
		switch i = skipWS(obj, vend); {
		case i < len(obj) && obj[i] == ',':
			i = skipWS(obj, i+1)
		case i < len(obj) && obj[i] == '}':
			return true
		default:
			return false
		}
	}
}

// EachElem calls fn with every element of the JSON array arr. It reports
// false, possibly after some calls, when arr is not a well-formed array.
func EachElem(arr []byte, fn func(val []byte)) bool {
	i := skipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return false
	}
	if i = skipWS(arr, i+1); i < len(arr) && arr[i] == ']' {
		return true
	}
	for {
		end := skipValue(arr, i)
		if end < 0 {
			return false
		}
		fn(arr[i:end])
		switch i = skipWS(arr, end); {
		case i < len(arr) && arr[i] == ',':
			i = skipWS(arr, i+1)
		case i < len(arr) && arr[i] == ']':
			return true
		default:
			return false
		}
	}
}

// MemberKey is a raw member key from EachMember as a Go string, escapes
// decoded (rare, so the common case is one conversion).
func MemberKey(raw []byte) string {
	for _, c := range raw {
		if c == '\\' {
			var s string
			if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) == nil {
				return s
			}
			break
		}
	}
	return string(raw)
}

// MemberValue returns the raw value of the first member named key in the
// JSON object obj, if there is one.
func MemberValue(obj []byte, key string) (json.RawMessage, bool) {
	var out []byte
	found := false
	EachMember(obj, func(k, v []byte) {
		if !found && string(k) == key {
			out, found = v, true
		}
	})
	return out, found
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i], or -1.
func skipString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	start := i
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}
