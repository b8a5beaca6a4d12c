package io.agcgateway.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SiteSelectorTest {
    private final SiteSelector selector = new SiteSelector();
    private final Map<String, Object> acmeTest = Map.of("id", "t", "url", "https://acme-test.atlassian-us-gov-mod.net");
    private final Map<String, Object> acme = Map.of("id", "a", "url", "https://acme.atlassian-us-gov-mod.net");

    @Test
    void subdomain_matchesExactFirstLabel_notAPrefix() {
        SiteSelector.Selection s = selector.select(List.of(acmeTest, acme), "acme");
        assertThat(s.site()).isSameAs(acme);
        assertThat(s.reason()).isEqualTo("subdomain_match");
        assertThat(selector.select(List.of(acme, acmeTest), "acme-test").site()).isSameAs(acmeTest);
    }

    @Test
    void subdomain_matchIgnoresCase() {
        assertThat(selector.select(List.of(acmeTest, Map.of("id", "a", "url", "HTTPS://ACME.atlassian-us-gov-mod.net")), "AcMe")
                .reason()).isEqualTo("subdomain_match");
    }

    @Test
    void noSubdomain_picksFirstSite() {
        SiteSelector.Selection s = selector.select(List.of(acmeTest, acme), null);
        assertThat(s.site()).isSameAs(acmeTest);
        assertThat(s.reason()).isEqualTo("first_site");
        assertThat(selector.select(List.of(acmeTest, acme), "  ").reason()).isEqualTo("first_site");
    }

    @Test
    void noMatch_fallsBackToFirstSite() {
        SiteSelector.Selection s = selector.select(List.of(acmeTest, acme), "other");
        assertThat(s.site()).isSameAs(acmeTest);
        assertThat(s.reason()).isEqualTo("no_subdomain_match_first_site");
    }

    @Test
    void emptyOrMissingList_givesNoSite() {
        assertThat(selector.select(List.of(), "acme").site()).isNull();
        assertThat(selector.select(null, "acme").reason()).isEqualTo("no_sites");
    }

    @Test
    void malformedUrls_neverMatch_andSitesWithoutIdAreSkipped() {
        Map<String, Object> noScheme = Map.of("id", "x", "url", "acme.atlassian-us-gov-mod.net");
        Map<String, Object> notString = Map.of("id", "y", "url", 42);
        Map<String, Object> noId = Map.of("url", "https://acme.atlassian-us-gov-mod.net");
        SiteSelector.Selection s = selector.select(List.of(noScheme, notString), "acme");
        assertThat(s.site()).isSameAs(noScheme);
        assertThat(s.reason()).isEqualTo("no_subdomain_match_first_site");
        assertThat(selector.select(List.of(Map.of("url", "ftp://acme.x")), null).reason()).isEqualTo("no_site_with_id");
        assertThat(SiteSelector.firstHostLabel("https://user@acme.x")).isNull();
        assertThat(selector.select(List.of(noId, acmeTest), "other").site()).isSameAs(acmeTest);
    }
}
