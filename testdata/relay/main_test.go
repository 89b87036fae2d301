package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestRunPrintsURLAndDrainsOnStop runs the command as a process would: the
// first stdout line is the URL, and cancelling (SIGINT) flushes the queue.
func TestRunPrintsURLAndDrainsOnStop(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	codec := make(chan int, 1)
	go func() {
		codec <- run(ctx, []string{"--upstream", up.srv.URL, "--flush-interval", "1h", "--batch-size", "100"}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL line: %v", err)
	}
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first stdout line %q; want http://127.0.0.1:PORT", url)
	}
	tr := &testRelay{url: url}
	tr.mustPost(t, "/v1/track", trackBody("u-1", "Order Placed", 1))
	if n := len(up.requests()); n != 0 {
		t.Fatalf("forwarded %d before stop; want 0 (batch open for 1h)", n)
	}
	cancel()
	select {
	case code := <-codec:
		if code != 0 {
			t.Errorf("exit code %d; want 0 (stderr: %s)", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("relay did not stop")
	}
	if n := len(up.stored()); n != 1 {
		t.Errorf("upstream stored %d calls after stop; want 1", n)
	}
}

func TestRunBadFlags(t *testing.T) {
	t.Parallel()
	var out, errw strings.Builder
	if code := run(context.Background(), []string{"--defect", "nope", "--upstream", "http://x"}, &out, &errw); code != 2 {
		t.Errorf("exit code %d; want 2", code)
	}
	if !strings.Contains(errw.String(), "unknown defect") {
		t.Errorf("stderr %q does not name the bad defect", errw.String())
	}
	if code := run(context.Background(), []string{"-h"}, &out, &errw); code != 0 {
		t.Errorf("-h exit code %d; want 0", code)
	}
}
