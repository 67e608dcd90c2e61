package org.hyphae.discovery.dialer.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** A configuration annotation instance with its defaults, some overridden, as SCR would make it. */
final class Configs {

    private Configs() {
    }

    @SuppressWarnings("unchecked")
    static <T> T of(Class<T> type, Map<String, Object> values) {
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
