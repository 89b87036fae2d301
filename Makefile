# cioharness — small, offline, pinned. `make run` and `make test` do all the set-up.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
BIN     := bin/cioharness
FUZZTIME ?= 3s
# The demo: embedded mock, d2c mix, one real second = one shopper hour.
DEMO_FLAGS ?= --time-scale 3600 --rate 20/s --duration 10s

.PHONY: build run test test-go test-e2e fuzz clients bench lint golden mock clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/cioharness

run: build
	./$(BIN) run $(DEMO_FLAGS)

test: lint clients test-go test-e2e fuzz

# Unit and integration tests under the race detector; -short leaves out the
# end-to-end runs, whose verdicts are timed in compressed shopper time.
test-go:
	$(GO) test -race -short -timeout 900s ./... ./testdata/relay/

# End-to-end runs (through the reference relay, sharded runs, seeds 1-5) time
# campaign outcomes at --time-scale 3600, where one shopper hour is one real
# second: they run without the race detector's 5-10x slowdown.
test-e2e:
	$(GO) test -timeout 900s ./cmd/cioharness/

# Real Customer.io npm clients drive the mock in tests; skipped where node is missing.
clients:
	@if command -v npm >/dev/null 2>&1 && [ -f testdata/clients/package-lock.json ]; then \
		npm ci --prefix testdata/clients --no-audit --no-fund --loglevel=error; \
	else echo "clients: npm or lock file missing; real-client tests will skip"; fi

# A short coverage-guided run of each decoder's fuzz target.
fuzz:
	@mkdir -p bin; for t in $$($(GO) test -list '^Fuzz' ./mockcio | grep '^Fuzz'); do \
		echo "fuzz $$t ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./mockcio >bin/fuzz.log 2>&1 || { cat bin/fuzz.log; exit 1; }; \
	done

bench:
	bash bench/bench.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./... ./testdata/relay/
	@! $(GO) list -deps ./report ./cio ./mockcio ./scenarios ./load ./verify 2>/dev/null | grep -E 'vbauerster/mpb|spf13/pflag' || { echo "lint: mpb/pflag belong to cmd/ only"; exit 1; }
	@! $(GO) list -deps ./mockcio 2>/dev/null | grep -E 'cioharness/(scenarios|verify|load|report)$$' || { echo "lint: mockcio imports only cio"; exit 1; }

golden:
	$(GO) test ./report/... ./scenarios/... ./cmd/... -update

mock: build
	./$(BIN) mock --addr 127.0.0.1:8420

clean:
	rm -rf bin cover.out testdata/clients/node_modules
