package mockcio

import (
	"github.com/cioharness/cioharness/cio"
)

// cmdKind is one of the store commands every front end decodes into.
type cmdKind uint8

const (
	cmdIdentify     cmdKind = iota + 1 // upsert a person, maybe linking an anonymous id
	cmdTrack                           // an event on a person
	cmdTrackAnon                       // an event on an anonymous id
	cmdIdentifyAnon                    // traits on an anonymous id (Pipelines identify by anonymousId alone)
	cmdMerge                           // merge secondary into primary
	cmdDelete                          // delete a person
	cmdSuppress                        // delete a person and block its identifiers
	cmdUnsuppress                      // free suppressed identifiers
	cmdDeviceAdd                       // add or update a device
	cmdDeviceDelete                    // remove a device
)

// Wire formats recorded on events (EventView.API).
const (
	apiPipelines uint8 = iota + 1
	apiTrack
	apiTrackV2
)

var apiNames = [...]string{"", "pipelines", "track", "track-v2"}

// attrKV is one attribute of an identify, value as raw JSON.
type attrKV struct {
	name string
	val  []byte
}

// eventIn is an event as decoded from the wire.
type eventIn struct {
	name string
	typ  uint8 // evEvent, evPage, evScreen
	id   string
	ts   int64 // unix nanoseconds; 0 = receive time
	data []byte
	api  uint8
}

// deviceIn is a device as decoded from the wire.
type deviceIn struct {
	token    string
	platform string
	lastUsed int64 // unix nanoseconds; 0 = receive time
	attrs    []byte
}

// command is one store command. The store never sees HTTP: the front ends
// decode and validate every request fully, then hand the store commands.
type command struct {
	kind cmdKind
	who  cio.Identifier // the person addressed (path, identifiers, userId)

	// identify
	bodyID    string // "id" in the attributes
	bodyEmail string // "email" in the attributes
	bodyPhone string
	anonID    string // anonymous id to link (identify) or to store under (track anon)
	attrs     []attrKV
	update    bool  // _update: never create
	attrTS    int64 // _timestamp / v2 timestamp in unix nanoseconds; 0 = receive time

	event  eventIn
	device deviceIn

	primary, secondary cio.Identifier // merge
}
