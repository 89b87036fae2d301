package cio

import (
	"errors"
	"time"
)

// ULID is a Universally Unique Lexicographically Sortable Identifier
// (https://github.com/ulid/spec): 48 bits of milliseconds then 80 bits of
// entropy. Customer.io de-duplicates events by a ULID id.
type ULID [16]byte

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// MakeULID builds a ULID from a time and 80 bits of caller-chosen entropy
// (hi holds the top 16 bits). The generator passes seeded entropy so that ids
// are a pure function of the seed.
func MakeULID(t time.Time, hi uint16, lo uint64) ULID {
	var u ULID
	ms := uint64(t.UnixMilli())
	for i := 5; i >= 0; i-- {
		u[i] = byte(ms)
		ms >>= 8
	}
	u[6], u[7] = byte(hi>>8), byte(hi)
	for i := 15; i >= 8; i-- {
		u[i] = byte(lo)
		lo >>= 8
	}
	return u
}

// String encodes the ULID as 26 Crockford base32 characters.
func (u ULID) String() string {
	var b [26]byte
	u.encode(b[:])
	return string(b[:])
}

// AppendTo appends the 26-character form to dst.
func (u ULID) AppendTo(dst []byte) []byte {
	var b [26]byte
	u.encode(b[:])
	return append(dst, b[:]...)
}

func (u ULID) encode(b []byte) {
	// 128 bits as 26 groups of 5 bits, the first group holding 3 bits.
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(u[i])
		lo = lo<<8 | uint64(u[8+i])
	}
	for i := 25; i >= 0; i-- {
		b[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
}

// Time returns the ULID's millisecond timestamp.
func (u ULID) Time() time.Time {
	var ms int64
	for i := 0; i < 6; i++ {
		ms = ms<<8 | int64(u[i])
	}
	return time.UnixMilli(ms)
}

var errULID = errors.New("ulid: want 26 Crockford base32 characters")

// ParseULID decodes the 26-character form (case-insensitive).
func ParseULID(s string) (ULID, error) {
	var u ULID
	if len(s) != 26 || s[0] > '7' {
		return u, errULID
	}
	var hi, lo uint64
	for i := 0; i < 26; i++ {
		v := decodeCrockford(s[i])
		if v < 0 {
			return u, errULID
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	for i := 7; i >= 0; i-- {
		u[i] = byte(hi)
		u[8+i] = byte(lo)
		hi >>= 8
		lo >>= 8
	}
	return u, nil
}

func decodeCrockford(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		c -= 'a' - 'A'
	}
	switch c {
	case 'O':
		return 0
	case 'I', 'L':
		return 1
	}
	for i := 10; i < len(crockford); i++ {
		if crockford[i] == c {
			return i
		}
	}
	return -1
}
