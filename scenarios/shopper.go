package scenarios

// Shopper is one simulated person.
type Shopper struct {
	ExternalID string // prefixed by the run id; may be unused by journeys that never log in
	Email      string
	Phone      string
	FirstName  string
	LastName   string
	Devices    []Device

	EmailConsent bool // sent as email_consent when the shopper identifies
	SMSConsent   bool // sent as sms_consent
}

// Device is one browser or app install with its own anonymous id.
type Device struct {
	Kind        string // "mobile", "desktop", "app"
	AnonymousID string
}
