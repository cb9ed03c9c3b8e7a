# The plugin SDK, in this build and installed (`cmake --install`): the server exports its
# symbols for shared-library plugins, the headers plugins compile against, and the CMake
# package that gives `deploystack_add_plugin()` to a plugin built outside this repository.

# Plugins call server functions (ds::http::Router, ds::db::schema ...) resolved at dlopen
# time: link every layer whole into the executable (a plugin may use a function the
# server itself never calls) and export its symbols (-rdynamic).
set_target_properties(deploystack PROPERTIES ENABLE_EXPORTS ON)
set(DS_LAYER_ARCHIVES "")
foreach(layer ${DS_LAYERS})
  list(APPEND DS_LAYER_ARCHIVES $<TARGET_FILE:ds_${layer}>)
endforeach()
target_link_options(deploystack PRIVATE -Wl,--whole-archive ${DS_LAYER_ARCHIVES} -Wl,--no-whole-archive)

# The SDK headers: an explicit list (cmake/PluginSDKHeaders.cmake, checked by the test
# sdk.headers_closed), not src/. In this build a plugin sees them through sdk-include/, one
# symlink per listed header, so the example plugin cannot include a header the installed SDK
# lacks. Symlinks keep rebuilds exact: the compiler's dependency list names the link and the
# build tool reads the real header's time through it. Made afresh at every configure (a
# header taken off the list disappears), and this file reconfigures when the list changes.
include(${CMAKE_CURRENT_LIST_DIR}/PluginSDKHeaders.cmake)
set(DS_SDK_BUILD_INCLUDE_DIR ${PROJECT_BINARY_DIR}/sdk-include)
file(REMOVE_RECURSE ${DS_SDK_BUILD_INCLUDE_DIR})
foreach(header ${DS_PLUGIN_SDK_HEADERS})
  get_filename_component(dir ${DS_SDK_BUILD_INCLUDE_DIR}/${header} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${header} ${DS_SDK_BUILD_INCLUDE_DIR}/${header} SYMBOLIC)
endforeach()

# Sanitizer flags come with the global compile options here; the installed package carries
# them itself (DeployStackPluginSDKConfig.cmake.in).
add_library(deploystack_plugin_sdk INTERFACE)
add_library(DeployStack::PluginSDK ALIAS deploystack_plugin_sdk)
target_include_directories(deploystack_plugin_sdk INTERFACE ${DS_SDK_BUILD_INCLUDE_DIR})
target_link_libraries(deploystack_plugin_sdk INTERFACE fmt::fmt nlohmann_json::nlohmann_json)
include(${CMAKE_CURRENT_LIST_DIR}/DeployStackPluginFunctions.cmake)

include(GNUInstallDirs)
set(DS_SDK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/DeployStackPluginSDK)
set(DS_SDK_INCLUDE_DIR ${CMAKE_INSTALL_INCLUDEDIR}/deploystack)
include(CMakePackageConfigHelpers)
# What a plugin must be built with to load into this server (the host refuses a mismatch).
set(DS_SDK_COMPILE_OPTIONS "${DS_SANITIZER_COMPILE_OPTIONS}")
set(DS_SDK_LINK_OPTIONS "${DS_SANITIZER_LINK_OPTIONS}")
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/DeployStackPluginSDKConfig.cmake.in
  ${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfig.cmake
  INSTALL_DESTINATION ${DS_SDK_CMAKE_DIR} PATH_VARS DS_SDK_INCLUDE_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ExactVersion)
install(TARGETS deploystack RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The core migrations travel with the binary: it looks for them in ../share/deploystack/.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/drizzle/migrations_sqlite/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/deploystack/migrations_sqlite)
foreach(header ${DS_PLUGIN_SDK_HEADERS})
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/src/${header} DESTINATION ${DS_SDK_INCLUDE_DIR}/${dir})
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfig.cmake
  ${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/DeployStackPluginFunctions.cmake DESTINATION ${DS_SDK_CMAKE_DIR})
