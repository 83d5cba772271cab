"""Studio screens: thin views over services and selectors, inside the admin chrome."""
