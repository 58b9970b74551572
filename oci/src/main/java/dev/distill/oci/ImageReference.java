package dev.distill.oci;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A registry image reference as docker names them: {@code [registry/]repository[:tag][@digest]}. A first element
 * with a '.', a ':' or equal to {@code localhost} is a registry; otherwise the registry is Docker Hub, where
 * one-element names live under {@code library/}. Without tag or digest the tag is {@code latest}.
 *
 * @param registry host[:port], {@code docker.io} for Docker Hub
 * @param tag null when only a digest was given
 * @param digest null when not given
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern REPOSITORY = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern LOOPBACK = Pattern.compile("(?:localhost|127(?:\\.\\d{1,3}){3}|\\[::1\\])(?::\\d+)?",
            Pattern.CASE_INSENSITIVE);
    /** Docker Hub's other names; references through any of them name the same images as {@code docker.io}. */
    private static final java.util.Set<String> DOCKER_HUB_ALIASES = java.util.Set.of("index.docker.io",
            "registry-1.docker.io", "registry.hub.docker.com");

    /** Parses a reference; throws IllegalArgumentException saying what is wrong. */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!HOST.matcher(first).matches()) {
                    throw new IllegalArgumentException("invalid registry '" + first + "' in '" + text + "'");
                }
                registry = normalizeRegistry(first);
                rest = rest.substring(slash + 1);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid tag '" + tag + "' in '" + text + "'");
            }
        }
        if (!REPOSITORY.matcher(rest).matches()) {
            throw new IllegalArgumentException("invalid repository name '" + rest + "' in '" + text + "'"
                    + (rest.equals(rest.toLowerCase(Locale.ROOT)) ? "" : " (must be lower case)"));
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /**
     * The one spelling of a registry host that references are compared by: lower case (host names are
     * case-insensitive), without https' default port 443, and Docker Hub's other names as {@code docker.io}. Two
     * references to the same images must not differ as strings, or a policy section or a loopback test written for
     * one would silently miss the other.
     */
    public static String normalizeRegistry(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(":443")) {
            h = h.substring(0, h.length() - 4);
        }
        return DOCKER_HUB_ALIASES.contains(h) ? DOCKER_HUB : h;
    }

    /** Whether text looks like a reference at all (used to tell references from paths that do not exist). */
    public static boolean looksLikeReference(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The host the distribution API is served from (Docker Hub's differs from its name). */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    /** Loopback registries may be spoken to over plain http. */
    public boolean isLoopback() {
        return LOOPBACK.matcher(registry).matches();
    }

    /** The tag or digest to ask the registry for: the digest when there is one. */
    public String identifier() {
        return digest != null ? digest.toString() : tag;
    }

    /** The repository this reference names an image of. */
    public Repository repo() {
        return new Repository(registry, repository);
    }

    public ImageReference withDigest(Digest d) {
        return new ImageReference(registry, repository, tag, d);
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
