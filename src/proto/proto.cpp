// Placeholder so the library has a source until the first parser lands.
namespace c2scope::proto {}
