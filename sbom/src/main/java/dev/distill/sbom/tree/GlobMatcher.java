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
    /** One brace-free alternative: its regex and the literal text every match must start and end with. */
    private record Alternative(Pattern pattern, String head, String tail) {
    }

    private final List<Alternative> alternatives;

    private GlobMatcher(List<Alternative> alternatives) {
        this.alternatives = alternatives;
    }

    /**
     * Compiles the globs. Braces are expanded first, so that each alternative has a literal tail ("**&#47;*.jar"
     * ends with ".jar"): most paths are rejected by an {@code endsWith} before any regex runs, which matters when
     * a million paths stream past.
     */
    public static GlobMatcher of(List<String> globs) {
        List<Alternative> alts = new java.util.ArrayList<>();
        for (String g : globs) {
            for (String e : expandBraces(g)) {
                alts.add(new Alternative(Pattern.compile(toRegex(e)), literalHead(e), literalTail(e)));
            }
        }
        return new GlobMatcher(alts);
    }

    public boolean matches(String path) {
        for (Alternative a : alternatives) {
            if (path.endsWith(a.tail()) && path.startsWith(a.head()) && a.pattern().matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return alternatives.isEmpty();
    }

    /** {@code a{b,c}d} → {@code abd, acd}, recursively; unbalanced braces are left for toRegex to reject. */
    static List<String> expandBraces(String glob) {
        int open = glob.indexOf('{');
        if (open < 0) {
            return List.of(glob);
        }
        int depth = 0;
        int close = -1;
        List<Integer> commas = new java.util.ArrayList<>();
        for (int i = open; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                close = i;
                break;
            } else if (c == ',' && depth == 1) {
                commas.add(i);
            }
        }
        if (close < 0) {
            return List.of(glob);
        }
        List<String> out = new java.util.ArrayList<>();
        int start = open + 1;
        commas.add(close);
        for (int comma : commas) {
            String variant = glob.substring(0, open) + glob.substring(start, comma) + glob.substring(close + 1);
            out.addAll(expandBraces(variant));
            start = comma + 1;
        }
        return out;
    }

    /**
     * The literal characters before the first wildcard of a brace-free glob, as an absolute path ("/var/lib/dpkg/
     * status.d/*" starts with "/var/lib/dpkg/status.d/"); empty for a glob that starts with "**".
     */
    static String literalHead(String glob) {
        if (glob.startsWith("**")) {
            return "";
        }
        String g = glob.startsWith("/") ? glob : "/" + glob;
        int i = 0;
        while (i < g.length() && "*?[]{}\\".indexOf(g.charAt(i)) < 0) {
            i++;
        }
        return g.substring(0, i);
    }

    /** The literal characters after the last wildcard of a brace-free glob. */
    static String literalTail(String glob) {
        int i = glob.length();
        while (i > 0 && "*?[]{}".indexOf(glob.charAt(i - 1)) < 0) {
            i--;
        }
        return glob.substring(i);
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
