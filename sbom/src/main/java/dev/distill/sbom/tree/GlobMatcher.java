package dev.distill.sbom.tree;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Matches absolute image paths against globs: {@code *} and {@code ?} within one path element, {@code **} across
 * elements, {@code {a,b}} alternatives and {@code [...]} classes. Written here because the JDK's PathMatcher works on
 * {@code Path} objects of the host filesystem, and building one per tar entry costs more than the match; all globs
 * are compiled into one regular expression so that each path is tested once.
 */
public final class GlobMatcher {
    private final Pattern pattern;

    private GlobMatcher(Pattern pattern) {
        this.pattern = pattern;
    }

    public static GlobMatcher of(List<String> globs) {
        if (globs.isEmpty()) {
            return new GlobMatcher(null);
        }
        StringBuilder re = new StringBuilder();
        for (String g : globs) {
            if (re.length() > 0) {
                re.append('|');
            }
            re.append("(?:").append(toRegex(g)).append(')');
        }
        return new GlobMatcher(Pattern.compile(re.toString()));
    }

    public boolean matches(String path) {
        return pattern != null && pattern.matcher(path).matches();
    }

    public boolean isEmpty() {
        return pattern == null;
    }

    static String toRegex(String glob) {
        String g = glob.startsWith("/") || glob.startsWith("**") ? glob : "/" + glob;
        StringBuilder re = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < g.length() && g.charAt(i + 1) == '*') {
                        boolean slashAfter = i + 2 < g.length() && g.charAt(i + 2) == '/';
                        re.append(slashAfter ? "(?:.*/)?" : ".*");
                        i += slashAfter ? 2 : 1;
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '{' -> {
                    braces++;
                    re.append("(?:");
                }
                case '}' -> {
                    if (braces == 0) {
                        throw new IllegalArgumentException("unbalanced '}' in glob '" + glob + "'");
                    }
                    braces--;
                    re.append(')');
                }
                case ',' -> re.append(braces > 0 ? "|" : ",");
                case '[' -> {
                    int end = g.indexOf(']', i + 1);
                    if (end < 0) {
                        throw new IllegalArgumentException("unbalanced '[' in glob '" + glob + "'");
                    }
                    String body = g.substring(i + 1, end);
                    if (body.startsWith("!")) {
                        body = "^" + body.substring(1);
                    }
                    re.append('[').append(body.replace("\\", "\\\\")).append(']');
                    i = end;
                }
                default -> {
                    if ("\\.^$+()|".indexOf(c) >= 0) {
                        re.append('\\');
                    }
                    re.append(c);
                }
            }
        }
        if (braces != 0) {
            throw new IllegalArgumentException("unbalanced '{' in glob '" + glob + "'");
        }
        return re.toString();
    }
}
