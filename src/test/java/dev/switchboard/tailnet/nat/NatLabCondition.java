package dev.switchboard.tailnet.nat;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a NAT lab class, saying why, when this machine cannot build the lab (not root, no {@code ip netns}, no
 * {@code iptables}); evaluated before the class's Quarkus application would start.
 */
public class NatLabCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = NatLab.unavailable();
        return reason == null ? ConditionEvaluationResult.enabled("network namespaces and iptables available")
                : ConditionEvaluationResult.disabled(reason);
    }
}
