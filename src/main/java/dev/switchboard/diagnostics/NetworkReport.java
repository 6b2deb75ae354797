package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.switchboard.derpmap.DerpMapJson;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.io.UncheckedIOException;

/** What {@code coder netcheck} prints (coder/coder cli/netcheck.go): the DERP report and the interfaces report. */
@RegisterForReflection
@JsonPropertyOrder({"derp", "interfaces"})
public record NetworkReport(@JsonProperty("derp") DerpHealthReport derp,
                            @JsonProperty("interfaces") InterfacesReport interfaces) {

    /** Go's json.MarshalIndent(v, "", "  "): two-space indent, {@code "key": value}, empty containers as [] and {}. */
    private static final ObjectWriter INDENTED = DerpMapJson.mapper().writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("").withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    public String toIndentedJson() {
        try {
            return INDENTED.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
