package scenarios

import (
	"strconv"

	"github.com/cioharness/cioharness/cio"
)

// Event names of the built-in D2C tracking plan (SPEC §7).
const (
	EventViewedProduct        = "Viewed Product"
	EventAddedToCart          = "Added to Cart"
	EventRemovedFromCart      = "Removed from Cart"
	EventCheckoutStarted      = "Checkout Started"
	EventOrderPlaced          = "Order Placed"
	EventSubscriptionCanceled = "Subscription Canceled"
)

func (s *gen) who(anonymous bool) who {
	if anonymous {
		return fromAnonymous
	}
	return fromDevice
}

func (s *gen) viewProducts(st *step) {
	n := st.count.sample(s.r)
	for i := 0; i < n; i++ {
		if i > 0 {
			s.t += st.gap.sample(s.r)
		}
		if i > 0 || st.product == pickNew || st.category != "" && s.current.category != st.category {
			s.current = s.g.data.pick(s.r, st.category)
		}
		at := s.begin()
		s.arena = append(s.arena, s.current.fixed...)
		s.arena = appendMoney(append(s.arena, `,"price":`...), s.current.price)
		s.arena = append(s.arena, `,"currency":"`+currency+`"`...)
		s.emit(cio.KindTrack, EventViewedProduct, s.end(at), s.who(st.anonymous))
	}
}

func (s *gen) pageView(st *step) {
	s.scratch = st.path.appendText(s.scratch[:0], s)
	path := string(s.scratch)
	at := s.begin()
	s.arena = cio.AppendString(append(s.arena, `"path":`...), path)
	s.arena = cio.AppendString(append(s.arena, `,"url":`...), shopHost+path)
	if st.title != nil {
		s.arena = st.title.appendJSON(append(s.arena, `,"title":`...), s)
	}
	s.emit(cio.KindPage, path, s.end(at), s.who(st.anonymous))
}

// ensureCart starts a cart when there is none.
func (s *gen) ensureCart() {
	if s.cartID == "" {
		s.carts++
		s.cartID = "cart_" + s.j.Shopper.ExternalID + "_" + strconv.Itoa(s.carts)
	}
}

func (s *gen) addToCart(st *step) {
	if st.product == pickNew || st.category != "" && s.current.category != st.category {
		s.current = s.g.data.pick(s.r, st.category)
	}
	q := st.quantity.sample(s.r)
	s.ensureCart()
	merged := false
	for i := range s.cart {
		if s.cart[i].p == s.current {
			s.cart[i].qty += q
			merged = true
		}
	}
	if !merged {
		s.cart = append(s.cart, line{s.current, q})
	}
	at := s.begin()
	s.arena = cio.AppendString(append(s.arena, `"cart_id":`...), s.cartID)
	s.arena = append(append(s.arena, ','), s.current.fixed...)
	s.arena = appendMoney(append(s.arena, `,"price":`...), s.current.price)
	s.arena = strconv.AppendInt(append(s.arena, `,"quantity":`...), int64(q), 10)
	s.appendCart()
	s.emit(cio.KindTrack, EventAddedToCart, s.end(at), fromDevice)
}

// appendCart appends ,"items":[…],"value":…,"currency":"USD".
func (s *gen) appendCart() {
	s.arena = append(s.arena, `,"items":[`...)
	var value int64
	for i, l := range s.cart {
		if i > 0 {
			s.arena = append(s.arena, ',')
		}
		s.arena = append(append(s.arena, '{'), l.p.fixed...)
		s.arena = appendMoney(append(s.arena, `,"price":`...), l.p.price)
		s.arena = strconv.AppendInt(append(s.arena, `,"quantity":`...), int64(l.qty), 10)
		s.arena = append(s.arena, '}')
		value += l.p.price * int64(l.qty)
	}
	s.arena = appendMoney(append(s.arena, `],"value":`...), value)
	s.arena = append(s.arena, `,"currency":"`+currency+`"`...)
}

func (s *gen) cartValue() int64 {
	var v int64
	for _, l := range s.cart {
		v += l.p.price * int64(l.qty)
	}
	return v
}

func (s *gen) removeFromCart() {
	if len(s.cart) == 0 {
		return
	}
	l := s.cart[len(s.cart)-1]
	s.cart = s.cart[:len(s.cart)-1]
	at := s.begin()
	s.arena = cio.AppendString(append(s.arena, `"cart_id":`...), s.cartID)
	s.arena = cio.AppendString(append(s.arena, `,"sku":`...), l.p.sku)
	s.arena = strconv.AppendInt(append(s.arena, `,"quantity":`...), int64(l.qty), 10)
	s.appendCart()
	s.emit(cio.KindTrack, EventRemovedFromCart, s.end(at), fromDevice)
}

// fillCart puts the current product in an empty cart (a "buy now").
func (s *gen) fillCart() {
	s.ensureCart()
	if len(s.cart) == 0 {
		s.cart = append(s.cart, line{s.current, 1})
	}
}

func (s *gen) checkoutStarted() {
	s.fillCart()
	at := s.begin()
	s.arena = cio.AppendString(append(s.arena, `"cart_id":`...), s.cartID)
	s.appendCart()
	s.emit(cio.KindTrack, EventCheckoutStarted, s.end(at), fromDevice)
}

func (s *gen) orderPlaced(st *step) {
	if s.known[s.dev] == 0 {
		s.identify(byEmail, true, nil) // guest checkout: the email is given at checkout
	}
	s.fillCart()
	s.orders++
	if s.orders == 1 {
		s.first = s.t
	}
	s.orderID = "ord_" + s.j.Shopper.ExternalID + "_" + strconv.Itoa(s.orders)
	sub := s.cartValue()
	var d *discount
	if st.p > 0 && s.r.chance(st.p) {
		d = &s.g.data.discounts[s.r.intn(len(s.g.data.discounts))]
	}
	s.total = sub
	at := s.begin()
	s.arena = cio.AppendString(append(s.arena, `"order_id":`...), s.orderID)
	s.arena = cio.AppendString(append(s.arena, `,"cart_id":`...), s.cartID)
	s.appendCart()
	if d != nil {
		off := sub * d.percent / 100
		s.total = sub - off
		s.arena = cio.AppendString(append(s.arena, `,"discount_code":`...), d.code)
		s.arena = appendMoney(append(s.arena, `,"discount":`...), off)
	}
	s.arena = appendMoney(append(s.arena, `,"subtotal":`...), sub)
	s.arena = appendMoney(append(s.arena, `,"total":`...), s.total)
	s.emit(cio.KindTrack, EventOrderPlaced, s.end(at), fromDevice)
	s.cart, s.cartID = s.cart[:0], ""
	if !st.noProfile {
		s.orderProfile()
	}
}

// orderProfile is the backend's profile update after an order.
func (s *gen) orderProfile() {
	at := s.begin()
	s.arena = strconv.AppendInt(append(s.arena, `"orders_count":`...), int64(s.orders), 10)
	s.arena = strconv.AppendInt(append(s.arena, `,"first_order_date":`...), s.g.date(s.first), 10)
	s.arena = strconv.AppendInt(append(s.arena, `,"last_order_date":`...), s.g.date(s.t), 10)
	s.arena = cio.AppendString(append(s.arena, `,"vip_tier":`...), vipTier(s.orders))
	s.emit(cio.KindIdentify, "", s.end(at), fromBackend)
}

// vipTier is the loyalty tier for an order count.
func vipTier(orders int) string {
	switch {
	case orders >= 5:
		return "gold"
	case orders >= 2:
		return "silver"
	}
	return "none"
}

func (s *gen) subscriptionCanceled(st *step) {
	at := s.begin()
	s.arena = cio.AppendString(append(s.arena, `"subscription_id":`...), "sub_"+s.j.Shopper.ExternalID)
	s.arena = cio.AppendString(append(s.arena, `,"sku":`...), s.current.sku)
	s.arena = strconv.AppendInt(append(s.arena, `,"interval_days":`...), int64(s.current.replenish/(24*3600e9)), 10)
	s.arena = cio.AppendString(append(s.arena, `,"reason":`...), st.reasons[s.r.intn(len(st.reasons))])
	s.arena = appendMoney(append(s.arena, `,"value":`...), s.current.price)
	s.arena = append(s.arena, `,"currency":"`+currency+`"`...)
	s.emit(cio.KindTrack, EventSubscriptionCanceled, s.end(at), fromBackend)
	at = s.begin()
	s.arena = append(s.arena, `"subscription_status":"canceled"`...)
	s.emit(cio.KindIdentify, "", s.end(at), fromBackend)
}

func (s *gen) customEvent(st *step) {
	at := s.begin()
	s.appendFields(st.props)
	kind := cio.KindTrack
	switch st.kind {
	case "page":
		kind = cio.KindPage
	case "screen":
		kind = cio.KindScreen
	}
	s.emit(kind, st.name, s.end(at), s.who(st.anonymous))
}

// appendVar appends a template variable's value; quoted makes strings JSON.
func (s *gen) appendVar(b []byte, v tvar, quoted bool) []byte {
	sh := s.j.Shopper
	str := func(x string) []byte {
		if quoted {
			return cio.AppendString(b, x)
		}
		return append(b, x...)
	}
	switch v {
	case tvFirstName:
		return str(sh.FirstName)
	case tvLastName:
		return str(sh.LastName)
	case tvEmail:
		return str(s.email)
	case tvPhone:
		return str(sh.Phone)
	case tvExternalID:
		return str(sh.ExternalID)
	case tvEmailConsent:
		return strconv.AppendBool(b, sh.EmailConsent)
	case tvSMSConsent:
		return strconv.AppendBool(b, sh.SMSConsent)
	case tvSKU:
		return str(s.current.sku)
	case tvProductName:
		return str(s.current.name)
	case tvCategory:
		return str(s.current.category)
	case tvSize:
		return str(s.current.size)
	case tvProductURL:
		return str(s.current.url)
	case tvProductImage:
		return str(s.current.image)
	case tvPrice:
		return appendMoney(b, s.current.price)
	case tvCartID:
		return str(s.cartID)
	case tvCartValue:
		return appendMoney(b, s.cartValue())
	case tvCartItems:
		return strconv.AppendInt(b, int64(len(s.cart)), 10)
	case tvOrderID:
		return str(s.orderID)
	case tvOrderTotal:
		return appendMoney(b, s.total)
	case tvOrdersCount:
		return strconv.AppendInt(b, int64(s.orders), 10)
	case tvRunID:
		return str(s.g.runID)
	case tvJourneyIndex:
		return strconv.AppendUint(b, s.j.Index, 10)
	case tvDeviceKind:
		return str(s.j.Shopper.Devices[s.dev].Kind)
	case tvCurrency:
		return str(currency)
	}
	return b
}
