package dev.distill.sbom.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One canonical spelling of an SPDX license expression: operands of AND/OR flattened and sorted, parentheses
 * only where an OR sits inside an AND, operators upper-case, each operand once. Catalogers and readers both use it, so an expression
 * survives a trip through any format unchanged (spdx-java-library reorders operands and adds parentheses as it
 * likes). Input that does not parse is returned as it is.
 */
public final class LicenseExpressions {
    private LicenseExpressions() {
    }

    public static String canonical(String expression) {
        if (expression == null || expression.isBlank()) {
            return expression;
        }
        try {
            Parser p = new Parser(tokens(expression));
            Node n = p.or();
            if (p.pos != p.tokens.size()) {
                return expression;
            }
            return n.print(false);
        } catch (IllegalArgumentException e) {
            return expression;
        }
    }

    private interface Node {
        String print(boolean insideAnd);
    }

    private record Term(String text) implements Node {
        @Override
        public String print(boolean insideAnd) {
            return text;
        }
    }

    private record Op(String op, List<Node> operands) implements Node {
        @Override
        public String print(boolean insideAnd) {
            // A term said twice is said once: "MIT AND MIT" is MIT (copyright files repeat licenses per file).
            java.util.TreeSet<String> distinct = new java.util.TreeSet<>();
            for (Node n : operands) {
                distinct.add(n.print(op.equals("AND")));
            }
            List<String> parts = new ArrayList<>(distinct);
            if (parts.size() == 1) {
                return parts.get(0);
            }
            String s = String.join(" " + op + " ", parts);
            return insideAnd && op.equals("OR") ? "(" + s + ")" : s;
        }
    }

    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static final class Parser {
        final List<String> tokens;
        int pos;

        Parser(List<String> tokens) {
            this.tokens = tokens;
        }

        String peek() {
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        boolean isOp(String word) {
            String t = peek();
            return t != null && t.toUpperCase(Locale.ROOT).equals(word);
        }

        Node or() {
            return chain("OR", this::and);
        }

        Node and() {
            return chain("AND", this::with);
        }

        private Node chain(String op, java.util.function.Supplier<Node> next) {
            List<Node> operands = new ArrayList<>();
            operands.add(next.get());
            while (isOp(op)) {
                pos++;
                operands.add(next.get());
            }
            if (operands.size() == 1) {
                return operands.get(0);
            }
            List<Node> flat = new ArrayList<>();
            for (Node n : operands) {
                if (n instanceof Op o && o.op().equals(op)) {
                    flat.addAll(o.operands());
                } else {
                    flat.add(n);
                }
            }
            return new Op(op, flat);
        }

        Node with() {
            Node base = primary();
            if (isOp("WITH")) {
                pos++;
                String exception = peek();
                if (exception == null || exception.equals("(") || exception.equals(")")) {
                    throw new IllegalArgumentException("WITH without an exception");
                }
                pos++;
                if (!(base instanceof Term t)) {
                    throw new IllegalArgumentException("WITH after a parenthesis");
                }
                return new Term(t.text() + " WITH " + exception);
            }
            return base;
        }

        Node primary() {
            String t = peek();
            if (t == null) {
                throw new IllegalArgumentException("unexpected end");
            }
            pos++;
            if (t.equals("(")) {
                Node n = or();
                if (!")".equals(peek())) {
                    throw new IllegalArgumentException("missing ')'");
                }
                pos++;
                return n;
            }
            String upper = t.toUpperCase(Locale.ROOT);
            if (t.equals(")") || upper.equals("AND") || upper.equals("OR") || upper.equals("WITH")) {
                throw new IllegalArgumentException("unexpected '" + t + "'");
            }
            return new Term(t);
        }
    }
}
