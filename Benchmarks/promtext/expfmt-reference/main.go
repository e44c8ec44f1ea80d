// Command expfmt-reference measures the Go Prometheus text parser
// (github.com/prometheus/common/expfmt) on one page, so Ballast's parser has a
// reference to compare against on the same machine and the same bytes.
//
// Usage: expfmt-reference -page FILE [-iterations N]
// It prints one JSON object with the same fields as `ballast bench promtext --json`.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/prometheus/common/expfmt"
)

type result struct {
	Parser           string  `json:"parser"`
	PageBytes        int     `json:"pageBytes"`
	Samples          int     `json:"samples"`
	Iterations       int     `json:"iterations"`
	Seconds          float64 `json:"seconds"`
	CPUSeconds       float64 `json:"cpuSeconds"`
	MBPerSecond      float64 `json:"mbPerSecond"`
	SamplesPerSecond float64 `json:"samplesPerSecond"`
	MBPerCPUSecond   float64 `json:"mbPerCPUSecond"`
}

// cpuSeconds is the user plus system CPU time of the process so far, every thread (the GC's included).
func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

func main() {
	page := flag.String("page", "", "exposition page to parse (required)")
	iterations := flag.Int("iterations", 50, "how many times to parse the page")
	flag.Parse()
	if *page == "" || *iterations < 1 {
		fmt.Fprintln(os.Stderr, "usage: expfmt-reference -page FILE [-iterations N]; N must be at least 1.")
		os.Exit(2)
	}
	data, err := os.ReadFile(*page)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot read %s: %v\n", *page, err)
		os.Exit(1)
	}
	// One untimed parse warms caches and proves the page is valid for expfmt.
	var warm expfmt.TextParser
	if _, err := warm.TextToMetricFamilies(bytes.NewReader(data)); err != nil {
		fmt.Fprintf(os.Stderr, "%s does not parse: %v\n", *page, err)
		os.Exit(1)
	}
	// Samples are counted as sample lines, exactly as Ballast counts them, so samples/s compare.
	samples := 0
	for _, line := range bytes.Split(data, []byte("\n")) {
		trimmed := bytes.TrimLeft(line, " \t")
		if len(trimmed) > 0 && trimmed[0] != '#' && trimmed[0] != '\r' {
			samples++
		}
	}
	cpuStart := cpuSeconds()
	start := time.Now()
	for i := 0; i < *iterations; i++ {
		var parser expfmt.TextParser
		if _, err := parser.TextToMetricFamilies(bytes.NewReader(data)); err != nil {
			fmt.Fprintf(os.Stderr, "%s does not parse: %v\n", *page, err)
			os.Exit(1)
		}
	}
	seconds := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpuStart
	out := result{
		Parser:           "go-expfmt",
		PageBytes:        len(data),
		Samples:          samples,
		Iterations:       *iterations,
		Seconds:          seconds,
		CPUSeconds:       cpu,
		MBPerSecond:      float64(len(data)) * float64(*iterations) / seconds / 1e6,
		SamplesPerSecond: float64(samples) * float64(*iterations) / seconds,
		MBPerCPUSecond:   float64(len(data)) * float64(*iterations) / cpu / 1e6,
	}
	encoded, _ := json.Marshal(out)
	fmt.Println(string(encoded))
}
