// Command dockerlike sends Docker-shaped log records to a forward-protocol server the way dockerd's
// fluentd log driver does (moby daemon/logger/fluentd/fluentd.go): one fluent-logger-golang
// PostWithTime call per log line, with a map[string]string record of container_id,
// container_name, source and log.
//
// It is built without Go modules against Debian's golang-github-fluent-fluent-logger-golang-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o target/dockerlike ./src/test/go/dockerlike
//
// Record i carries log = "line-<i>-<prefix>" plus a variant suffix (plain ASCII, non-ASCII, or a
// 12,000-byte long line); the Java test helper dev.logstream.forward.interop.DockerRecords builds
// the same strings. On success it prints "posted <count>" and exits 0.
package main

import (
	"flag"
	"fmt"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
)

// logLine must stay identical to DockerRecords.log (Java) and logLine in send.py (Python).
func logLine(prefix string, i int) string {
	switch {
	case i%10 == 7:
		return fmt.Sprintf("line-%d-%s long %s", i, prefix, strings.Repeat("0123456789abcdef", 750))
	case i%3 == 1:
		return fmt.Sprintf("line-%d-%s grüße Zoë — 日本語 ☃ 🚀", i, prefix)
	default:
		return fmt.Sprintf("line-%d-%s plain ascii", i, prefix)
	}
}

// parseAddress follows dockerd's parseAddress: host:port, tcp://host:port or unix:///path.
func parseAddress(address string) (network, host string, port int, path string, err error) {
	if !strings.Contains(address, "://") {
		address = "tcp://" + address
	}
	u, err := url.Parse(address)
	if err != nil {
		return "", "", 0, "", err
	}
	switch u.Scheme {
	case "unix":
		return "unix", "", 0, u.Path, nil
	case "tcp":
		p, err := strconv.ParseUint(u.Port(), 10, 16)
		if err != nil {
			return "", "", 0, "", fmt.Errorf("invalid port in %q: %w", address, err)
		}
		return "tcp", u.Hostname(), int(p), "", nil
	default:
		return "", "", 0, "", fmt.Errorf("unsupported scheme %q", u.Scheme)
	}
}

func main() {
	address := flag.String("address", "tcp://127.0.0.1:24224", "fluentd-address: host:port, tcp://host:port or unix:///path")
	count := flag.Int("count", 10, "number of log lines to post")
	ack := flag.Bool("ack", false, "fluentd-request-ack")
	async := flag.Bool("async", false, "fluentd-async")
	forceStop := flag.Bool("force-stop-async-send", false, "dockerd sets this to the value of -async, which drops queued lines on Close; off by default so every line is delivered")
	subsecond := flag.Bool("subsecond", false, "fluentd-sub-second-precision (EventTime instead of integer seconds)")
	tag := flag.String("tag", "0123456789ab", "tag (dockerd's default is the 12-character container ID)")
	prefix := flag.String("prefix", "dockerlike", "text after line-<i>- in every log line")
	containerID := flag.String("container-id", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "container_id field")
	containerName := flag.String("container-name", "/logstream-interop", "container_name field (dockerd sends it with a leading /)")
	source := flag.String("source", "stdout", "source field")
	startNanos := flag.Int64("time", 0, "time of line 0 in Unix nanoseconds (0 = now); line i is i milliseconds later")
	maxRetry := flag.Int("max-retries", 5, "fluentd-max-retries (dockerd's default is math.MaxInt32)")
	realtime := flag.Bool("realtime", false, "stamp each line with the time it is posted, as dockerd does (overrides -time)")
	rate := flag.Int("rate", 0, "lines per second to post at (0 = as fast as possible)")
	flag.Parse()

	network, host, port, path, err := parseAddress(*address)
	if err != nil {
		fail(err)
	}
	var asyncErrors atomic.Int64
	config := fluent.Config{
		FluentNetwork:      network,
		FluentHost:         host,
		FluentPort:         port,
		FluentSocketPath:   path,
		BufferLimit:        1024 * 1024,
		RetryWait:          1000,
		MaxRetry:           int(math.Min(float64(*maxRetry), math.MaxInt32)),
		MaxRetryWait:       60 * 1000,
		Async:              *async,
		ForceStopAsyncSend: *async && *forceStop,
		SubSecondPrecision: *subsecond,
		RequestAck:         *ack,
		MarshalAsJSON:      false,
		AsyncResultCallback: func(data []byte, err error) {
			if err != nil {
				asyncErrors.Add(1)
				fmt.Fprintf(os.Stderr, "dockerlike: async send failed: %v\n", err)
			}
		},
	}
	logger, err := fluent.New(config)
	if err != nil {
		fail(err)
	}

	start := time.Now()
	if *startNanos != 0 {
		start = time.Unix(0, *startNanos)
	}
	posted := 0
	for i := 0; i < *count; i++ {
		record := map[string]string{
			"container_id":   *containerID,
			"container_name": *containerName,
			"source":         *source,
			"log":            logLine(*prefix, i),
		}
		if *rate > 0 {
			// pace against the start, so a slow post is caught up rather than accumulated
			if wait := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(*rate))); wait > 0 {
				time.Sleep(wait)
			}
		}
		stamp := start.Add(time.Duration(i) * time.Millisecond)
		if *realtime {
			stamp = time.Now()
		}
		if err := logger.PostWithTime(*tag, stamp, record); err != nil {
			fail(fmt.Errorf("line %d: %w", i, err))
		}
		posted++
	}
	if err := logger.Close(); err != nil {
		fail(err)
	}
	if n := asyncErrors.Load(); n > 0 {
		fail(fmt.Errorf("%d asynchronous sends failed", n))
	}
	fmt.Printf("posted %d\n", posted)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "dockerlike: %v\n", err)
	os.Exit(1)
}
