# deploystack_add_plugin(<target> <sources>...)
# A shared-library plugin for the deploystack server. The library links nothing of the
# server: its references to server functions (ds::...) are resolved at dlopen time against
# the server executable, which exports its symbols. It must be compiled with the same
# compiler and flags as the server; the host refuses it otherwise (plugins/abi.hpp).
function(deploystack_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE DeployStack::PluginSDK)
  # MODULE: no SONAME, so two copies of one plugin in two folders load as two libraries.
  set_target_properties(${target} PROPERTIES PREFIX "" CXX_EXTENSIONS OFF)
  target_compile_features(${target} PRIVATE cxx_std_20)
endfunction()
