package scenarios

import "encoding/json"

// eachMember calls fn with every top-level member of the JSON object obj
// (its raw value, not copied). It reports false, possibly after some calls,
// when obj is not a well-formed object. The ledger reads generated payloads
// with it, much faster than decoding them into maps.
func eachMember(obj []byte, fn func(key string, val []byte)) bool {
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
		key := string(obj[i+1 : end-1])
		for _, c := range obj[i+1 : end-1] {
			if c == '\\' {
				if json.Unmarshal(obj[i:end], &key) != nil {
					return false
				}
				break
			}
		}
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
