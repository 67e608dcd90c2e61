package org.hyphae.node;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Switches which installed implementation an area uses, for operators (the dashboard, the
 * shell). A whiteboard service: the bundle that knows how an area picks its implementation (a
 * Config Admin target filter, a fork schedule, ...) registers one with the service property
 * {@value #AREA_PROPERTY} naming the area or areas it switches (as in {@link AreaStatus#area()}).
 */
@ConsumerType
public interface AreaSelector {

    /** Service property: the area name(s) this selector switches, a string or string array. */
    String AREA_PROPERTY = "hyphae.area";

    /** The choices an operator may select now (for example storage kinds: fs, memory), in display order. */
    List<String> choices();

    /** The choice in use now. */
    String selected();

    /**
     * Makes {@code choice} the one in use. The switch may finish asynchronously (consumers rebind
     * once in-flight work drains); {@link #selected()} reports the new choice at once.
     *
     * @param choice one of {@link #choices()}
     * @return a line saying what was done, for the operator
     * @throws IllegalArgumentException if {@code choice} is not one of {@link #choices()}, saying which are
     * @throws IllegalStateException if the switch cannot be made now, saying why
     */
    String select(String choice);
}
