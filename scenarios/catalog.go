package scenarios

import (
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/cioharness/cioharness/cio"
)

// product is one catalog item.
type product struct {
	sku, name, category, size, url, image string
	price                                 int64         // minor units (cents)
	replenish                             time.Duration // how long one unit lasts: drives repeat purchases
	fixed                                 []byte        // pre-encoded "sku":…,"image_url":… members
}

// sizeSpec is one pack size of a category and how long it lasts.
type sizeSpec struct {
	label string
	days  int
	mult  float64 // price multiplier
}

type categorySpec struct {
	name, code, noun string
	base             float64 // price of the smallest size, major units
	sizes            []sizeSpec
}

// categories is the D2C catalogue: consumables, so replenishment by size makes sense.
var categories = []categorySpec{
	{"Coffee", "COF", "Roast", 14, []sizeSpec{{"250g", 14, 1}, {"500g", 28, 1.8}, {"1kg", 56, 3.2}}},
	{"Tea", "TEA", "Blend", 9, []sizeSpec{{"50g", 21, 1}, {"100g", 42, 1.7}}},
	{"Skincare", "SKN", "Serum", 24, []sizeSpec{{"30ml", 30, 1}, {"50ml", 45, 1.5}, {"100ml", 90, 2.6}}},
	{"Supplements", "SUP", "Capsules", 19, []sizeSpec{{"30 capsules", 30, 1}, {"60 capsules", 60, 1.8}, {"90 capsules", 90, 2.5}}},
	{"Pet Food", "PET", "Kibble", 16, []sizeSpec{{"2kg", 14, 1}, {"6kg", 42, 2.6}, {"12kg", 84, 4.6}}},
	{"Haircare", "HAI", "Shampoo", 12, []sizeSpec{{"250ml", 45, 1}, {"500ml", 90, 1.7}}},
}

const (
	shopHost   = "https://shop.example.com"
	imageHost  = "https://cdn.shop.example.com/images/"
	currency   = "USD"
	catalogLen = 240
	namePool   = 512
)

var emailDomains = []string{"example.com", "example.net", "example.org"}

// data holds everything drawn once per generator with gofakeit: the catalog,
// name pools and discount codes. Journeys pick from it with their own rng.
type data struct {
	products   []*product
	byCategory map[string][]*product
	firstNames []string
	lastNames  []string
	firstSlugs []string // lower-case, for email local parts
	lastSlugs  []string
	discounts  []discount
}

type discount struct {
	code    string
	percent int64
}

func newData(seed int64) *data {
	f := gofakeit.New(seed)
	d := &data{}
	seen := map[string]bool{}
	for i := 0; len(d.products) < catalogLen && i < catalogLen*4; i++ {
		c := categories[i%len(categories)]
		name := title(f.AdjectiveDescriptive()) + " " + title(f.NounConcrete()) + " " + c.noun
		if seen[name] {
			continue
		}
		seen[name] = true
		base := int64(c.base*100) + int64(f.IntRange(0, 12))*100
		for _, sz := range c.sizes {
			if len(d.products) == catalogLen {
				break
			}
			d.products = append(d.products, newProduct(c, sz, name, base, f.IntRange(10000, 99999)))
		}
	}
	d.byCategory = map[string][]*product{}
	for _, p := range d.products {
		d.byCategory[p.category] = append(d.byCategory[p.category], p)
	}
	for i := 0; i < namePool; i++ {
		first, last := f.FirstName(), f.LastName()
		d.firstNames, d.firstSlugs = append(d.firstNames, first), append(d.firstSlugs, slug(first))
		d.lastNames, d.lastSlugs = append(d.lastNames, last), append(d.lastSlugs, slug(last))
	}
	for _, pct := range []int64{10, 15, 20, 25} {
		for j := 0; j < 3; j++ {
			d.discounts = append(d.discounts, discount{strings.ToUpper(f.NounConcrete()) + strconv.FormatInt(pct, 10), pct})
		}
	}
	return d
}

// categoryNames lists the catalog's categories.
func categoryNames() []string {
	out := make([]string, len(categories))
	for i, c := range categories {
		out[i] = c.name
	}
	return out
}

// pick returns a random product, of category when it is not empty.
func (d *data) pick(r *rng, category string) *product {
	list := d.products
	if category != "" {
		list = d.byCategory[category]
	}
	return list[r.intn(len(list))]
}

func newProduct(c categorySpec, sz sizeSpec, name string, base int64, num int) *product {
	sku := c.code + "-" + strconv.Itoa(num) + "-" + strings.ToUpper(strings.ReplaceAll(sz.label, " capsules", "C"))
	p := &product{
		sku: sku, name: name + " " + sz.label, category: c.name, size: sz.label,
		url:       shopHost + "/products/" + slug(name) + "-" + strings.ToLower(sku),
		image:     imageHost + strings.ToLower(sku) + ".jpg",
		price:     int64(float64(base)*sz.mult)/100*100 + 99,
		replenish: time.Duration(sz.days) * 24 * time.Hour,
	}
	b := cio.AppendString(append(p.fixed, `"sku":`...), p.sku)
	b = cio.AppendString(append(b, `,"name":`...), p.name)
	b = cio.AppendString(append(b, `,"category":`...), p.category)
	b = cio.AppendString(append(b, `,"size":`...), p.size)
	b = cio.AppendString(append(b, `,"url":`...), p.url)
	p.fixed = cio.AppendString(append(b, `,"image_url":`...), p.image)
	return p
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// appendMoney appends minor units as a major-unit JSON number: 2499 → 24.99,
// 2450 → 24.5, 2400 → 24.
func appendMoney(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	switch c := cents % 100; {
	case c == 0:
	case c%10 == 0:
		b = append(b, '.', byte('0'+c/10))
	default:
		b = append(b, '.', byte('0'+c/10), byte('0'+c%10))
	}
	return b
}
