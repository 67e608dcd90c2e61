package org.hyphae.transport.testkit;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Configuration annotation instances for component tests, as SCR makes them: every method returns
 * its value from the map, else its default.
 */
public final class ComponentConfigs {

    private ComponentConfigs() {
    }

    /**
     * An instance of a configuration annotation type.
     *
     * @param type the {@code @ObjectClassDefinition} annotation type
     * @param values values by method name; methods not named return their defaults
     * @return the instance
     */
    @SuppressWarnings("unchecked")
    public static <T> T of(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (values.containsKey(method.getName())) {
                return values.get(method.getName());
            }
            Object d = method.getDefaultValue();
            if (d != null) {
                return d;
            }
            return switch (method.getName()) {
                case "annotationType" -> type;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> type.getSimpleName() + values;
            };
        });
    }
}
