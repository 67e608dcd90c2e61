package org.hyphae.node.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.hyphae.node.AreaStatus;
import org.hyphae.node.Implementation;
import org.hyphae.node.ImplementationState;
import org.hyphae.node.NodeStatus;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * {@link NodeStatus} from what the framework knows: Declarative Services components that provide
 * an area's contract (whatever their state), plus services of that contract registered otherwise.
 * An implementation is {@link ImplementationState#ACTIVE} when some other bundle holds its service.
 */
@Component
public final class ScrNodeStatus implements NodeStatus {

    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    @Activate
    public ScrNodeStatus(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    public List<AreaStatus> areas() {
        List<ComponentDescriptionDTO> descriptions = List.copyOf(scr.getComponentDescriptionDTOs());
        List<AreaStatus> areas = new ArrayList<>();
        for (Map.Entry<String, String> area : Areas.CONTRACTS.entrySet()) {
            areas.add(new AreaStatus(area.getKey(), area.getValue(), implementations(area.getValue(), descriptions)));
        }
        return areas;
    }

    private List<Implementation> implementations(String contract, List<ComponentDescriptionDTO> descriptions) {
        List<Implementation> found = new ArrayList<>();
        Set<Long> componentServices = new HashSet<>();
        for (ComponentDescriptionDTO description : descriptions) {
            if (description.serviceInterfaces == null || !Arrays.asList(description.serviceInterfaces).contains(contract)) {
                continue;
            }
            String bundle = bundleName(description.bundle.id);
            if (!scr.isComponentEnabled(description)) {
                found.add(new Implementation(description.name, bundle, ImplementationState.DISABLED, "disabled"));
                continue;
            }
            var configurations = scr.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty()) {
                found.add(new Implementation(description.name, bundle, ImplementationState.UNAVAILABLE,
                        "waiting for configuration " + String.join(", ", description.configurationPid)));
            }
            for (ComponentConfigurationDTO configuration : configurations) {
                found.add(implementation(description, bundle, configuration, contract, componentServices));
            }
        }
        found.addAll(servicesOutsideComponents(contract, componentServices));
        found.sort(Comparator.comparing(Implementation::state).thenComparing(Implementation::name));
        return found;
    }

    private Implementation implementation(ComponentDescriptionDTO description, String bundle,
            ComponentConfigurationDTO configuration, String contract, Set<Long> componentServices) {
        switch (configuration.state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                return new Implementation(description.name, bundle, ImplementationState.UNAVAILABLE,
                        "waiting for configuration " + String.join(", ", description.configurationPid));
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                return new Implementation(description.name, bundle, ImplementationState.UNAVAILABLE,
                        "missing " + Arrays.stream(configuration.unsatisfiedReferences)
                                .map(ScrNodeStatus::describe).collect(Collectors.joining(", ")));
            case ComponentConfigurationDTO.FAILED_ACTIVATION:
                return new Implementation(description.name, bundle, ImplementationState.UNAVAILABLE,
                        "failed: " + rootCause(configuration.failure));
            default:
                ServiceReference<?> service = serviceOf(contract, configuration.id);
                if (service != null) {
                    componentServices.add((Long) service.getProperty(Constants.SERVICE_ID));
                }
                return new Implementation(description.name, bundle, stateOf(service), "");
        }
    }

    private List<Implementation> servicesOutsideComponents(String contract, Set<Long> componentServices) {
        List<Implementation> found = new ArrayList<>();
        for (ServiceReference<?> service : references(contract, null)) {
            if (componentServices.contains((Long) service.getProperty(Constants.SERVICE_ID))
                    || service.getProperty("component.id") != null) {
                continue;
            }
            Object pid = service.getProperty(Constants.SERVICE_PID);
            String name = pid != null ? pid.toString() : "service " + service.getProperty(Constants.SERVICE_ID);
            found.add(new Implementation(name, bundleName(service.getBundle().getBundleId()), stateOf(service), ""));
        }
        return found;
    }

    /** Used by a bundle other than its own (and other than the node's status bundles) means active. */
    private ImplementationState stateOf(ServiceReference<?> service) {
        if (service == null) {
            return ImplementationState.IDLE;
        }
        Bundle[] users = service.getUsingBundles();
        if (users != null) {
            for (Bundle user : users) {
                if (user.getBundleId() != service.getBundle().getBundleId()) {
                    return ImplementationState.ACTIVE;
                }
            }
        }
        return ImplementationState.IDLE;
    }

    private ServiceReference<?> serviceOf(String contract, long componentId) {
        List<ServiceReference<?>> matches = references(contract, "(component.id=" + componentId + ")");
        return matches.isEmpty() ? null : matches.get(0);
    }

    private List<ServiceReference<?>> references(String contract, String filter) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(contract, filter);
            return refs == null ? List.of() : List.of(refs);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("bad service filter " + filter, e);
        }
    }

    private String bundleName(long bundleId) {
        Bundle bundle = context.getBundle(bundleId);
        return bundle == null ? "bundle " + bundleId : bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    private static String describe(UnsatisfiedReferenceDTO reference) {
        return reference.name + (reference.target == null ? "" : " " + reference.target);
    }

    /** Wrappers that SCR and reflection put around a component's own exception. */
    private static final java.util.Set<String> WRAPPERS = java.util.Set.of(
            "java.lang.reflect.InvocationTargetException", "org.osgi.service.component.ComponentException");

    /**
     * The first meaningful exception message in SCR's failure text, which is a whole stack trace
     * whose outer exceptions (InvocationTargetException, ComponentException) say nothing useful.
     */
    static String rootCause(String failure) {
        if (failure == null || failure.isBlank()) {
            return "unknown reason";
        }
        String fallback = failure.strip().lines().findFirst().orElse(failure);
        for (String line : (Iterable<String>) failure.strip().lines()::iterator) {
            String exception = line.startsWith("Caused by: ") ? line.substring("Caused by: ".length()) : line;
            if (exception != line || line.equals(fallback)) {
                int colon = exception.indexOf(": ");
                String type = colon > 0 ? exception.substring(0, colon) : exception;
                if (colon > 0 && type.matches("[\\w.$]+") && !WRAPPERS.contains(type)) {
                    return exception.substring(colon + 2);
                }
                if (colon < 0 && !WRAPPERS.contains(type.strip()) && !type.matches("[\\w.$]+")) {
                    return exception;
                }
            }
        }
        return fallback;
    }
}
