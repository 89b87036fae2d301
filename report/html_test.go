package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHTMLSelfContained(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := Sample(1, 1, 1).WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, banned := range []string{"<script", "<link", "@import", "url(", "src=", "href=", "http://", "https://"} {
		if strings.Contains(page, banned) {
			t.Errorf("page contains %q: it must not load anything at view time", banned)
		}
	}
	for _, plot := range []string{"latency-spectrum", "requests-over-time", "latency-over-time", "delivery-spectrum", "margin-distribution"} {
		if !strings.Contains(page, `data-plot="`+plot+`"`) {
			t.Errorf("page lacks the %s plot", plot)
		}
	}
	for _, want := range []string{"shopper-0005", "contract.property_types", "events.delivered", "latency.p99&lt;250ms", "503 Service Unavailable"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// chromium returns the headless browser's path, or skips the test with a
// visible message when it is missing.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("SKIP: chromium not installed (apt-get install chromium); the HTML report was not rendered in a browser")
	return ""
}

// TestHTMLInBrowser renders the page in headless Chromium and checks that the
// plots are drawn: the live DOM holds every plot with data paths, and the
// screenshot is not blank.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	shot := filepath.Join(dir, "report.png")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := Sample(1, 1, 1).WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1100,2600",
		"--screenshot="+shot, "--dump-dom", "file://"+page)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := stdout.String()
	plots := regexp.MustCompile(`<svg class="plot" data-plot="([a-z-]+)"`).FindAllStringSubmatch(dom, -1)
	if len(plots) != 5 {
		t.Errorf("DOM has %d plots, want 5", len(plots))
	}
	paths := regexp.MustCompile(`<path class="series" data-series="[^"]*" d="(M[^"]+)"`).FindAllStringSubmatch(dom, -1)
	if len(paths) < 8 {
		t.Fatalf("DOM has %d data paths, want at least 8 (latency, delivery and time series)", len(paths))
	}
	for _, p := range paths {
		if n := strings.Count(p[1], "L"); n < 10 {
			t.Errorf("path with %d segments, want a drawn series: %.80s", n, p[1])
		}
	}
	if bars := strings.Count(dom, `class="bar"`); bars < 20 {
		t.Errorf("DOM has %d bars, want the request and margin bars", bars)
	}
	checkScreenshot(t, shot)
}

// checkScreenshot fails when the screenshot is blank or nearly uniform.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	colors, ink := map[uint32]bool{}, 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			c := pixel(img, x, y)
			colors[c] = true
			if c != 0xffffff && c != 0xf4f5f7 {
				ink++
			}
		}
	}
	total := (r.Dx() / 2) * (r.Dy() / 2)
	if len(colors) < 50 || ink < total/20 {
		t.Errorf("screenshot looks blank: %d colours, %d of %d pixels inked", len(colors), ink, total)
	}
	if os.Getenv("REPORT_SCREENSHOT") != "" {
		data, _ := os.ReadFile(path)
		_ = os.WriteFile(os.Getenv("REPORT_SCREENSHOT"), data, 0o644)
	}
}

func pixel(img image.Image, x, y int) uint32 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (r>>8)<<16 | (g>>8)<<8 | b>>8
}
