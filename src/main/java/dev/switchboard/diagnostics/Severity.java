package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonValue;

/** Health severities, ordered ok < warning < error (coder/coder coderd/healthcheck/health/model.go). */
public enum Severity {
    OK("ok"), WARNING("warning"), ERROR("error");

    private final String json;

    Severity(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }

    public Severity max(Severity other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
