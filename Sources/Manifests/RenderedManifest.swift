/// One rendered file: a Kubernetes object (or the plain Prometheus rules file) as YAML text.
public struct RenderedManifest: Hashable, Sendable {
    /// Path to write it under, relative to the output folder, such as `r1-7b-deployment.yaml`; unique within
    /// one render. Files that are not Kubernetes objects may sit in a folder (`prometheus/...`), next to the Prometheus rules file.
    public var fileName: String
    /// The object's `kind` (`Deployment`), or `PrometheusRules` for the plain rules file.
    public var kind: String
    /// The object's `metadata.name`.
    public var name: String
    /// The YAML document, ending with a newline.
    public var yaml: String

    /// Creates a rendered manifest.
    public init(fileName: String, kind: String, name: String, yaml: String) {
        self.fileName = fileName
        self.kind = kind
        self.name = name
        self.yaml = yaml
    }
}
