package dev.distill.sbom.catalog;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.Map;
import java.util.TreeMap;

/** Package URLs through packageurl-java, which encodes and orders qualifiers the way the purl spec says. */
public final class Purls {
    private Purls() {
    }

    /** A canonical purl; qualifiers with null values are left out. */
    public static String of(String type, String namespace, String name, String version,
                            Map<String, String> qualifiers) {
        TreeMap<String, String> q = new TreeMap<>();
        qualifiers.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                q.put(k, v);
            }
        });
        try {
            return new PackageURL(type, namespace, name, version, q.isEmpty() ? null : q, null).canonicalize();
        } catch (MalformedPackageURLException e) {
            throw new IllegalArgumentException("cannot make a purl of " + type + "/" + name + "@" + version + ": "
                    + e.getMessage(), e);
        }
    }
}
