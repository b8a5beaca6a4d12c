package io.agcgateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StaticFilesTest {
    private final StaticFiles files = new StaticFiles();

    @Test
    void plainNames_areSafe() {
        assertThat(StaticFiles.isSafe("app.js")).isTrue();
        assertThat(StaticFiles.isSafe("logos/atlassian-government-cloud.svg")).isTrue();
    }

    @Test
    void traversalAndEncodedNames_areRefused() {
        for (String bad : new String[] {"../app.js", "..", "a/../b.js", "%2e%2e/x.js", "..%2fx.js", "a\\b.js", ".hidden.js",
                "/etc/passwd", "a//b.js", "app.js/", "", "logos", "a/./b.js", "app.js%00.html", "app.js?x"}) {
            assertThat(StaticFiles.isSafe(bad)).as(bad).isFalse();
        }
    }

    @Test
    void existingFile_isLoadedWithItsContentType() {
        assertThat(files.load("app.js")).get().extracting(StaticFiles.Asset::contentType).isEqualTo("text/javascript; charset=utf-8");
        assertThat(files.load("index.html")).get().extracting(StaticFiles.Asset::contentType).isEqualTo("text/html; charset=utf-8");
        assertThat(files.load("logos/atlassian-government-cloud.svg")).get().extracting(StaticFiles.Asset::contentType).isEqualTo("image/svg+xml");
    }

    @Test
    void vendorUplot_comesFromTheWebjarOfTheVersionOnTheClasspath() {
        assertThat(StaticFiles.webjarRoot("uplot")).matches("META-INF/resources/webjars/uplot/[0-9][0-9.]*/");
        assertThat(files.load("vendor/uplot/uPlot.iife.min.js")).get().extracting(StaticFiles.Asset::contentType)
                .isEqualTo("text/javascript; charset=utf-8");
        assertThat(files.load("vendor/uplot/LICENSE.js")).isEmpty();
    }

    @Test
    void missingFileOrUnknownExtensionOrClassFile_isNotFound() {
        assertThat(files.load("nope.js")).isEmpty();
        assertThat(files.load("logos")).isEmpty();
        assertThat(new StaticFiles("").load("io/agcgateway/Gateway.class")).isEmpty();
    }
}
