package dev.distill.sbom.catalog.java;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * A {@code META-INF/maven/G/A/pom.xml} as far as the Java cataloger reads it: whose it is, and the dependencies it
 * declares with a literal group (what another jar in the image, one without {@code pom.properties}, can be named
 * by). Only {@code ${project.groupId}} and {@code ${project.version}} are resolved; any other property leaves the
 * group out (the dependency is skipped) or the version unknown.
 */
record PomFile(String groupId, String artifactId, List<Declared> dependencies) {
    /** One declared dependency: {@code version} is null when the POM does not spell it out. */
    record Declared(String groupId, String artifactId, String version) {
    }

    /** Whose POM this is, as {@code group:artifact}. */
    String coordinates() {
        return groupId + ":" + artifactId;
    }

    static PomFile parse(byte[] xml) throws IOException {
        Element project;
        try {
            project = builder().parse(new ByteArrayInputStream(xml)).getDocumentElement();
        } catch (SAXException | ParserConfigurationException e) {
            throw new IOException("not a readable pom.xml: " + e.getMessage(), e);
        }
        Element parent = child(project, "parent");
        String group = text(project, "groupId");
        if (group == null && parent != null) {
            group = text(parent, "groupId");
        }
        String version = text(project, "version");
        if (version == null && parent != null) {
            version = text(parent, "version");
        }
        List<Declared> declared = new ArrayList<>();
        collect(child(project, "dependencies"), group, version, declared);
        Element management = child(project, "dependencyManagement");
        if (management != null) {
            collect(child(management, "dependencies"), group, version, declared);
        }
        return new PomFile(group, text(project, "artifactId"), List.copyOf(declared));
    }

    private static void collect(Element dependencies, String ownGroup, String ownVersion, List<Declared> out) {
        if (dependencies == null) {
            return;
        }
        for (Element d : children(dependencies, "dependency")) {
            String g = resolve(text(d, "groupId"), "groupId", ownGroup);
            String a = text(d, "artifactId");
            if (g != null && a != null && !a.contains("${")) {
                out.add(new Declared(g, a, resolve(text(d, "version"), "version", ownVersion)));
            }
        }
    }

    /** A literal value, or the project's own group/version for {@code ${project.X}}; null for other properties. */
    private static String resolve(String value, String field, String own) {
        if (value == null || !value.contains("${")) {
            return value;
        }
        return value.equals("${project." + field + "}") || value.equals("${pom." + field + "}") ? own : null;
    }

    private static DocumentBuilder builder() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        // A POM read from an image is untrusted: no DTDs, no external entities.
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(new DefaultHandler()); // errors are thrown, never printed
        return b;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        if (e == null) {
            return null;
        }
        String t = e.getTextContent().strip();
        return t.isEmpty() ? null : t;
    }
}
