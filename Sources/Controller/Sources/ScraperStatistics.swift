public import PromText

/// The scraper's own counters, for the controller's `/metrics` and for benchmarks.
public struct ScraperStatistics: Sendable, Hashable {
    /// Scrapes attempted (finished, successfully or not).
    public var scrapesTotal: Int = 0
    /// Scrapes that failed: unreachable, timeout, HTTP error, page that does not parse, series cap.
    public var scrapesFailed: Int = 0
    /// Samples ingested from successful scrapes.
    public var samplesScraped: Int = 0
    /// Sum of every scrape's duration, in seconds.
    public var scrapeDurationSecondsSum: Double = 0
    /// Targets known now.
    public var targets: Int = 0
    /// Series held in the sample window.
    public var seriesInWindow: Int = 0
    /// Target discovery rounds that failed (the last good target list was kept).
    public var discoveryFailures: Int = 0

    /// Creates zeroed statistics.
    public init() {}

    /// The counters as metric families, named `ballast_controller_scrape*`, to append to the controller's page.
    public var metricFamilies: [MetricFamily] {
        func counter(_ name: String, _ help: String, _ value: Double) -> MetricFamily {
            MetricFamily(name: name, type: .counter, help: help, samples: [Sample(name: name + "_total", value: value)])
        }
        func gauge(_ name: String, _ help: String, _ value: Double) -> MetricFamily {
            MetricFamily(name: name, type: .gauge, help: help, samples: [Sample(name: name, value: value)])
        }
        return [
            counter("ballast_controller_scrapes", "Scrapes of worker metrics pages.", Double(scrapesTotal)),
            counter("ballast_controller_scrapes_failed", "Scrapes that failed.", Double(scrapesFailed)),
            counter("ballast_controller_scraped_samples", "Samples ingested from worker pages.", Double(samplesScraped)),
            counter(
                "ballast_controller_scrape_duration_seconds", "Total time spent scraping, in seconds.",
                scrapeDurationSecondsSum),
            counter(
                "ballast_controller_target_discovery_failures", "Target discovery rounds that failed.",
                Double(discoveryFailures)),
            gauge("ballast_controller_scrape_targets", "Targets being scraped.", Double(targets)),
            gauge("ballast_controller_window_series", "Series held in the sample window.", Double(seriesInWindow)),
        ]
    }
}
