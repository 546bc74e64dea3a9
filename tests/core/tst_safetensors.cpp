// Safetensors: round trips and every malformed file refused with a message that says what is wrong.
#include <ATen/ATen.h>

#include <QtTest>
#include <cstring>
#include <fstream>

#include "invx/error.h"
#include "io/safetensors-file.h"
#include "test-support.h"

using namespace invx;

namespace {

// A file of an 8-byte length, the given header text, then `dataBytes` zero bytes.
std::string writeRaw(const QTemporaryDir& dir, const std::string& header, std::size_t dataBytes,
                     std::uint64_t declaredLength = UINT64_MAX) {
    const std::string path = dir.filePath("raw.safetensors").toStdString();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::uint64_t n = declaredLength == UINT64_MAX ? header.size() : declaredLength;
    for (int i = 0; i < 8; ++i) out.put(char((n >> (8 * i)) & 0xff));
    out << header << std::string(dataBytes, '\0');
    return path;
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void roundTripsEveryDtype();
    void keepsMetadataAndAlignment();
    void refusesMalformedFiles_data();
    void refusesMalformedFiles();
};

void TestSafetensors::roundTripsEveryDtype() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("t.safetensors").toStdString();
    at::manual_seed(1);
    std::vector<std::pair<std::string, at::Tensor>> tensors = {
        {"f32", at::randn({3, 5})},
        {"f16", at::randn({7}).to(at::kHalf)},
        {"bf16", at::randn({2, 2, 2}).to(at::kBFloat16)},
        {"f64", at::randn({4}, at::kDouble)},
        {"i64", at::arange(10, at::kLong)},
        {"i32", at::arange(6, at::kInt).view({2, 3})},
        {"u8", at::arange(5, at::kByte)},
        {"bool", at::arange(3, at::kLong).remainder(2).to(at::kBool)},
        {"scalar", at::tensor(3.5f).reshape({})},
        {"empty", at::empty({0, 4})},
        {"strided", at::randn({4, 6}).t()},
    };
    writeSafetensors(path, tensors, {{"format", "pt"}});
    SafetensorsFile file(path);
    QCOMPARE(file.header().tensors.size(), tensors.size());
    for (const auto& [name, t] : tensors) {
        at::Tensor back = file.load(name);
        QCOMPARE(back.scalar_type(), t.scalar_type());
        QCOMPARE(back.sizes().vec(), t.sizes().vec());
        QVERIFY2(at::equal(back, t), name.c_str());
    }
    QCOMPARE(file.header().metadata.at("format"), std::string("pt"));
    INVX_VERIFY_MESSAGE(test::errorOf([&] { file.load("absent"); }), "no tensor 'absent'",
                        "t.safetensors");
}

void TestSafetensors::keepsMetadataAndAlignment() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("a.safetensors").toStdString();
    writeSafetensors(path, {{"x", at::ones({3}, at::kHalf)}});
    SafetensorsFile file(path);
    QCOMPARE(file.header().dataStart % 8, std::uint64_t(0));
    QCOMPARE(file.header().tensors[0].dtype, DType::F16);
    QCOMPARE(file.header().tensors[0].end - file.header().tensors[0].begin, std::uint64_t(6));
}

void TestSafetensors::refusesMalformedFiles_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<int>("dataBytes");
    QTest::addColumn<qint64>("declaredLength");  // -1: the header's true length
    QTest::addColumn<QString>("expected");

    QTest::newRow("shorter than the length field") << "" << 0 << qint64(-2) << "too short";
    QTest::newRow("header length past the end")
        << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})" << 4 << qint64(1000000)
        << "declares a header of 1000000 bytes";
    QTest::newRow("header not JSON") << "{not json" << 0 << qint64(-1) << "not valid JSON";
    QTest::newRow("header not an object") << "[1,2]" << 0 << qint64(-1) << "not a JSON object";
    QTest::newRow("unknown dtype")
        << R"({"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})" << 2 << qint64(-1)
        << "tensor 'w' has dtype 'F8_E4M3', which is not supported";
    QTest::newRow("shape lies about the size")
        << R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}})" << 16 << qint64(-1)
        << "tensor 'w' claims 16 bytes of data, but its shape and F32 dtype need 24";
    QTest::newRow("offsets outside the file (truncated)")
        << R"({"w":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}})" << 10 << qint64(-1)
        << "tensor 'w' lies at bytes [0, 16) of the data, but the file holds only 10";
    QTest::newRow("offsets reversed") << R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}})"
                                      << 8 << qint64(-1) << "start lies after their end";
    QTest::newRow("missing dtype") << R"({"w":{"shape":[1],"data_offsets":[0,4]}})" << 4
                                   << qint64(-1) << "tensor 'w' has no \"dtype\"";
    QTest::newRow("negative dimension")
        << R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})" << 4 << qint64(-1)
        << "shape entry that is not a non-negative integer";
    QTest::newRow("overlapping tensors")
        << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})"
        << 12 << qint64(-1) << "overlap";
    // An empty tensor between two that overlap used to hide the overlap (neighbours were compared).
    QTest::newRow("overlap across an empty tensor")
        << R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})"
        << 20 << qint64(-1) << "tensors 'a' and 'b' overlap";
    QTest::newRow("overlap with an earlier, longer tensor")
        << R"({"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"c":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}})"
        << 32 << qint64(-1) << "overlap";
}

void TestSafetensors::refusesMalformedFiles() {
    QFETCH(QString, header);
    QFETCH(int, dataBytes);
    QFETCH(qint64, declaredLength);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    std::string path;
    if (declaredLength == -2) {
        path = dir.filePath("short.safetensors").toStdString();
        std::ofstream(path, std::ios::binary) << "abc";
    } else {
        path = writeRaw(dir, header.toStdString(), std::size_t(dataBytes),
                        declaredLength < 0 ? UINT64_MAX : std::uint64_t(declaredLength));
    }
    const std::string message = test::errorOf([&] { SafetensorsFile file(path); });
    INVX_VERIFY_MESSAGE(message, expected.toUtf8().constData());
    INVX_VERIFY_MESSAGE(message, path.c_str());
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
