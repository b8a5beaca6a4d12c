package io.agcgateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixed Jira answers of the emulated sites, in the shapes of atlassian-oauth-facts.md §5. */
final class SandboxJira {
    static final String ACCOUNT_ID = "5b10a2844c20165700ede21g";
    private static final int ISSUES = 3;

    private SandboxJira() {
    }

    static Map<String, Object> myself(SandboxAgc.Site site) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("self", site.url() + "/rest/api/3/user?accountId=" + ACCOUNT_ID);
        m.put("accountId", ACCOUNT_ID);
        m.put("accountType", "atlassian");
        m.put("emailAddress", "mia@example.gov");
        String avatar = "https://avatar-management--avatars.us-gov-mod.prod.atl-paas.net/default.png";
        m.put("avatarUrls", Map.of("48x48", avatar, "24x24", avatar, "16x16", avatar, "32x32", avatar));
        m.put("displayName", "Mia Krystof");
        m.put("active", true);
        m.put("timeZone", "America/New_York");
        m.put("locale", "en_US");
        m.put("groups", Map.of("size", 3, "items", List.of()));
        m.put("applicationRoles", Map.of("size", 1, "items", List.of()));
        m.put("expand", "groups,applicationRoles");
        return m;
    }

    /**
     * GET /rest/api/3/search/jql: {issues, nextPageToken?, isLast}; without {@code fields} only ids come back,
     * as on the real endpoint. The page token is the offset, base64url-encoded.
     */
    static Map<String, Object> searchJql(SandboxAgc.Site site, String fields, int maxResults, String nextPageToken) {
        int start = 0;
        if (nextPageToken != null && !nextPageToken.isBlank()) {
            try {
                start = Integer.parseInt(new String(Base64.getUrlDecoder().decode(nextPageToken), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                start = ISSUES;
            }
        }
        int end = Math.min(ISSUES, start + Math.max(1, maxResults));
        boolean withFields = fields != null && !fields.isBlank() && !fields.equals("id");
        List<Map<String, Object>> issues = new ArrayList<>();
        for (int i = start; i < end; i++) {
            issues.add(withFields ? issue(site, i) : Map.of("id", String.valueOf(10001 + i)));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("issues", issues);
        if (end < ISSUES) {
            r.put("nextPageToken", Base64.getUrlEncoder().withoutPadding().encodeToString(String.valueOf(end).getBytes(StandardCharsets.UTF_8)));
        }
        r.put("isLast", end >= ISSUES);
        return r;
    }

    /** The legacy GET /rest/api/3/search shape {expand, startAt, maxResults, total, issues}. */
    static Map<String, Object> searchLegacy(SandboxAgc.Site site, int startAt, int maxResults) {
        int start = Math.max(0, startAt);
        int end = Math.min(ISSUES, start + Math.max(0, maxResults));
        List<Map<String, Object>> issues = new ArrayList<>();
        for (int i = start; i < end; i++) {
            issues.add(issue(site, i));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("expand", "schema,names");
        r.put("startAt", start);
        r.put("maxResults", maxResults);
        r.put("total", ISSUES);
        r.put("issues", issues);
        return r;
    }

    private static Map<String, Object> issue(SandboxAgc.Site site, int i) {
        String id = String.valueOf(10001 + i);
        String project = site.name().equals("acme") ? "ACME" : "TEST";
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("summary", List.of("Rotate the service account password", "Review FedRAMP audit findings", "Migrate search to /search/jql").get(i));
        f.put("status", Map.of("name", i == 0 ? "Done" : "To Do", "id", i == 0 ? "10002" : "10000"));
        f.put("issuetype", Map.of("name", "Task", "id", "10001"));
        f.put("project", Map.of("key", project, "name", site.name()));
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("expand", "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations");
        issue.put("id", id);
        issue.put("self", site.url() + "/rest/api/3/issue/" + id);
        issue.put("key", project + "-" + (i + 1));
        issue.put("fields", f);
        return issue;
    }
}
