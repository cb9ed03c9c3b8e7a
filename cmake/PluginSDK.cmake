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

add_library(deploystack_plugin_sdk INTERFACE)
add_library(DeployStack::PluginSDK ALIAS deploystack_plugin_sdk)
target_include_directories(deploystack_plugin_sdk INTERFACE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(deploystack_plugin_sdk INTERFACE fmt::fmt nlohmann_json::nlohmann_json)
include(${CMAKE_CURRENT_LIST_DIR}/DeployStackPluginFunctions.cmake)

include(GNUInstallDirs)
set(DS_SDK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/DeployStackPluginSDK)
set(DS_SDK_INCLUDE_DIR ${CMAKE_INSTALL_INCLUDEDIR}/deploystack)
include(CMakePackageConfigHelpers)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/DeployStackPluginSDKConfig.cmake.in
  ${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfig.cmake
  INSTALL_DESTINATION ${DS_SDK_CMAKE_DIR} PATH_VARS DS_SDK_INCLUDE_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ExactVersion)
install(TARGETS deploystack RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The core migrations travel with the binary: it looks for them in ../share/deploystack/.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/drizzle/migrations_sqlite/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/deploystack/migrations_sqlite)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/ DESTINATION ${DS_SDK_INCLUDE_DIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfig.cmake
  ${PROJECT_BINARY_DIR}/DeployStackPluginSDKConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/DeployStackPluginFunctions.cmake DESTINATION ${DS_SDK_CMAKE_DIR})
