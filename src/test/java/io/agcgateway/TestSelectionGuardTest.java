package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.support.SurefireSelection;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * `mvn verify` is the gate only if it runs every test. A test class is one with a method marked, directly or
 * through its annotation, {@link Testable}: JUnit's @Test, @ParameterizedTest, @RepeatedTest, @TestFactory and
 * jqwik's @Property and @Example all are. Each such class that can run must match the Surefire includes in
 * pom.xml; an abstract base must have a subclass that does.
 */
class TestSelectionGuardTest {
    private static final SurefireSelection POM = SurefireSelection.fromPom(Path.of("pom.xml"));
    private static final List<Class<?>> TEST_CLASSES = testClasses();

    @Test
    void everyConcreteTestClass_isSelectedByThePomIncludes() {
        assertThat(unselected(POM)).as("test classes `mvn verify` never runs: rename them or add an <include> to the surefire plugin")
                .isEmpty();
    }

    @Test
    void everyAbstractTestBase_hasASelectedSubclass() {
        List<String> orphans = TEST_CLASSES.stream()
                .filter(base -> Modifier.isAbstract(base.getModifiers()))
                .filter(base -> TEST_CLASSES.stream().noneMatch(c -> c != base && base.isAssignableFrom(c) && runnable(c) && POM.selects(sourcePath(c))))
                .map(Class::getName)
                .toList();
        assertThat(orphans).as("abstract test bases without a subclass that `mvn verify` runs").isEmpty();
    }

    @Test
    void withSurefireDefaults_theJqwikPropertiesClassesAreReported_andAbstractContractsAreNot() {
        assertThat(TEST_CLASSES).extracting(Class::getSimpleName).contains("IntegrationsApiContract", "OAuthFlowContract");
        assertThat(unselected(SurefireSelection.DEFAULTS))
                .contains("io.agcgateway.hostile.HostileProxyInputProperties", "io.agcgateway.hostile.HostileIntegrationInputProperties")
                .doesNotContain("io.agcgateway.integrations.IntegrationsApiContract", "io.agcgateway.oauth.OAuthFlowContract",
                        "io.agcgateway.BootSmokeTest");
    }

    @Test
    void defaultIncludes_matchSurefireNames_only() {
        assertThat(SurefireSelection.DEFAULTS.selects("io/agcgateway/FooProperties.java")).isFalse();
        assertThat(SurefireSelection.DEFAULTS.selects("io/agcgateway/FooTestHelper.java")).isFalse();
        assertThat(SurefireSelection.DEFAULTS.selects("io/Test/Foo.java")).as("* stays inside one directory").isFalse();
        assertThat(SurefireSelection.DEFAULTS.selects("io/agcgateway/FooTest.java")).isTrue();
        assertThat(SurefireSelection.DEFAULTS.selects("io/agcgateway/FooTests.java")).isTrue();
        assertThat(SurefireSelection.DEFAULTS.selects("io/agcgateway/TestFoo.java")).isTrue();
        assertThat(SurefireSelection.DEFAULTS.selects("FooTestCase.java")).as("**/ is also no directory").isTrue();
    }

    @Test
    void pomIncludes_addJqwikPropertiesClasses() {
        assertThat(POM.selects("io/agcgateway/FooProperties.java")).isTrue();
        assertThat(POM.selects("io/agcgateway/FooTest.java")).isTrue();
        assertThat(POM.selects("io/agcgateway/FooContract.java")).isFalse();
    }

    private static List<String> unselected(SurefireSelection selection) {
        return TEST_CLASSES.stream().filter(TestSelectionGuardTest::runnable)
                .filter(c -> !selection.selects(sourcePath(c)))
                .map(Class::getName)
                .toList();
    }

    private static boolean runnable(Class<?> c) {
        return !c.isInterface() && !Modifier.isAbstract(c.getModifiers());
    }

    /** The source file Surefire matches: the top-level class's, since JUnit reaches @Nested classes through it. */
    private static String sourcePath(Class<?> c) {
        Class<?> top = c;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        return top.getName().replace('.', '/') + ".java";
    }

    /** Every compiled class of src/test/java that holds a test method, its own or inherited. */
    private static List<Class<?>> testClasses() {
        try {
            Path root = Path.of(TestSelectionGuardTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (Stream<Path> files = Files.walk(root)) {
                return files.filter(f -> f.toString().endsWith(".class"))
                        .map(f -> root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".").replaceAll("\\.class$", ""))
                        .map(TestSelectionGuardTest::load)
                        .filter(c -> !ReflectionSupport.findMethods(c, m -> AnnotationSupport.isAnnotated(m, Testable.class),
                                HierarchyTraversalMode.TOP_DOWN).isEmpty())
                        .toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the compiled test classes", e);
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, TestSelectionGuardTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name, e);
        }
    }
}
