package mockcio

import "encoding/json"

// A minimal JSON walker over raw bytes that the store has already validated:
// the contract checks visit each member of an event's data once, without
// decoding it into maps (decoding was most of validation's cost).

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return i, false
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j, ok := skipString(b, i)
				if !ok {
					return j, false
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
		}
		return i, false
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i, true
		}
	}
	return i, true
}

// eachMember calls fn with each member of the JSON object b: the key's raw
// bytes (between the quotes, escapes kept) and the value's raw bytes.
func eachMember(b []byte, fn func(key, val []byte)) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	for i++; ; {
		i = skipWS(b, i)
		if i >= len(b) || b[i] != '"' {
			return
		}
		end, ok := skipString(b, i)
		if !ok {
			return
		}
		key := b[i+1 : end-1]
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = skipWS(b, i+1)
		vend, ok := skipValue(b, i)
		if !ok {
			return
		}
		fn(key, b[i:vend])
		i = skipWS(b, vend)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i++
	}
}

// eachElem calls fn with each element of the JSON array b.
func eachElem(b []byte, fn func(val []byte)) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return
	}
	for {
		i = skipWS(b, i)
		end, ok := skipValue(b, i)
		if !ok || end == i {
			return
		}
		fn(b[i:end])
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i++
	}
}

// keyString is a member key as a Go string (escapes decoded; rare).
func keyString(raw []byte) string {
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

// memberValue returns the raw value of key in object b, if present.
func memberValue(b []byte, key string) (json.RawMessage, bool) {
	var out []byte
	found := false
	eachMember(b, func(k, v []byte) {
		if !found && string(k) == key {
			out, found = v, true
		}
	})
	return out, found
}
