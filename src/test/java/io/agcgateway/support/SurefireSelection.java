package io.agcgateway.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Which test sources Surefire runs: the includes and excludes of the surefire plugin in pom.xml, or Surefire's
 * defaults where the pom declares none. Patterns are Ant paths over source files ({@code **}/*Test.java), as
 * Surefire reads them; its other forms ({@code %regex[...]}, {@code #method}, {@code ${property}}) are refused
 * rather than guessed at.
 */
public final class SurefireSelection {
    private static final List<String> DEFAULT_INCLUDES = List.of("**/Test*.java", "**/*Test.java", "**/*Tests.java", "**/*TestCase.java");
    private static final List<String> DEFAULT_EXCLUDES = List.of("**/*$*");
    private static final String SUREFIRE_CONFIG = "/project/build/plugins/plugin[artifactId='maven-surefire-plugin']/configuration/";

    /** What Surefire selects when the pom says nothing (maven-surefire-plugin docs, "includes" and "excludes"). */
    public static final SurefireSelection DEFAULTS = new SurefireSelection(DEFAULT_INCLUDES, DEFAULT_EXCLUDES);

    private final List<Pattern> includes;
    private final List<Pattern> excludes;

    private SurefireSelection(List<String> includes, List<String> excludes) {
        this.includes = includes.stream().map(SurefireSelection::antPattern).toList();
        this.excludes = excludes.stream().map(SurefireSelection::antPattern).toList();
    }

    public static SurefireSelection fromPom(Path pom) {
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
            List<String> includes = texts(doc, SUREFIRE_CONFIG + "includes/include");
            List<String> excludes = texts(doc, SUREFIRE_CONFIG + "excludes/exclude");
            return new SurefireSelection(includes.isEmpty() ? DEFAULT_INCLUDES : includes, excludes.isEmpty() ? DEFAULT_EXCLUDES : excludes);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the Surefire includes from " + pom, e);
        }
    }

    /** @param sourcePath a test source relative to src/test/java, e.g. {@code io/agcgateway/BootSmokeTest.java} */
    public boolean selects(String sourcePath) {
        return includes.stream().anyMatch(p -> p.matcher(sourcePath).matches())
                && excludes.stream().noneMatch(p -> p.matcher(sourcePath).matches());
    }

    private static List<String> texts(Document doc, String xpath) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODESET);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent().trim());
        }
        return texts;
    }

    /** Ant path matching as in plexus SelectorUtils: {@code **}/ is any number of directories, * and ? stay inside one. */
    static Pattern antPattern(String glob) {
        if (glob.startsWith("%") || glob.contains("#") || glob.contains("${")) {
            throw new IllegalArgumentException("only Ant path patterns are understood, not " + glob);
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (glob.startsWith("**/", i)) {
                regex.append("(?:.*/)?");
                i += 2;
            } else if (glob.startsWith("**", i)) {
                regex.append(".*");
                i += 1;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
