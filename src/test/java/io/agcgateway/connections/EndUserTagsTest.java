package io.agcgateway.connections;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.http.Json;
import org.junit.jupiter.api.Test;

class EndUserTagsTest {
    @Test
    void endUserAndOrganization_becomeNangosTagKeys() {
        assertThat(EndUserTags.merge(Json.read("{\"id\":\"u1\",\"email\":\"a@b.gov\",\"display_name\":\"A\"}"),
                Json.read("{\"id\":\"o1\",\"display_name\":\"Org\"}"), null))
                .containsExactly(java.util.Map.entry("end_user_id", "u1"), java.util.Map.entry("end_user_email", "a@b.gov"),
                        java.util.Map.entry("end_user_display_name", "A"), java.util.Map.entry("organization_id", "o1"),
                        java.util.Map.entry("organization_display_name", "Org"));
    }

    @Test
    void endUserTags_overrideGenerated_withLowerCasedKeys_andExplicitTagsWin() {
        assertThat(EndUserTags.merge(Json.read("{\"id\":\"u1\",\"tags\":{\"Plan\":\"gold\",\"end_user_id\":\"x\"}}"), null,
                Json.read("{\"plan\":\"silver\",\"team\":\"blue\"}")))
                .containsEntry("end_user_id", "x").containsEntry("plan", "silver").containsEntry("team", "blue")
                .doesNotContainKey("Plan");
    }

    @Test
    void missingOrEmptyValues_areLeftOut() {
        assertThat(EndUserTags.merge(Json.read("{\"id\":\"u1\",\"email\":\"\",\"display_name\":null}"), null, null))
                .containsOnlyKeys("end_user_id");
    }

    @Test
    void nothingGiven_isNull_soTheRowKeepsItsTags() {
        assertThat(EndUserTags.merge(null, null, null)).isNull();
        assertThat(EndUserTags.mergeJson(null, Json.read("null"), null)).isNull();
    }
}
